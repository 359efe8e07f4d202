using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Dreamina.Emulator;

/// <summary>
/// A local stand-in for RunComfy's Model API serving <c>bytedance/dreamina-3-0/pro/image-to-video</c>, with a
/// second origin that plays the storage host for videos and sample images, and a third that plays the account
/// API (the balance).
/// </summary>
public sealed class RunComfyEmulator : IAsyncDisposable
{
    public const string ModelId = "bytedance/dreamina-3-0/pro/image-to-video";
    private const int MaxBodyBytes = 64 * 1024;
    private const int PromptLimit = 800;

    private const string InternalHeader = "X-Dreamina-Emulator-Fetch";
    private static readonly HttpClient ImageFetcher = NewImageFetcher();

    private static HttpClient NewImageFetcher()
    {
        var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { Timeout = TimeSpan.FromSeconds(10) };
        client.DefaultRequestHeaders.Add(InternalHeader, "1");
        return client;
    }

    private readonly WebApplication _api;
    private readonly WebApplication _storage;
    private readonly WebApplication _account;
    private readonly Wallets _wallets;
    private readonly JobQueue _queue;
    private readonly FaultInjector _faults = new();
    private readonly TimeProvider _clock = TimeProvider.System;

    public EmulatorOptions Options { get; set; }
    public EmulatorStats Stats { get; } = new();
    public Uri BaseUri { get; private set; } = null!;
    public Uri StorageUri { get; private set; } = null!;
    public Uri AccountUri { get; private set; } = null!;
    public string Token => Options.Tokens[0];

    private RunComfyEmulator(EmulatorOptions options, string apiUrl, string storageUrl, string accountUrl)
    {
        Options = options;
        _queue = new JobQueue(() => Options.Concurrency, _clock);
        _wallets = new Wallets(() => Options.Balance);
        _api = Build(apiUrl, MapApi);
        _storage = Build(storageUrl, MapStorage);
        _account = Build(accountUrl, MapAccount);
    }

    /// <summary>Starts the three origins; port 0 in a URL picks a free loopback port.</summary>
    public static async Task<RunComfyEmulator> StartAsync(EmulatorOptions? options = null, string apiUrl = "http://127.0.0.1:0",
        string storageUrl = "http://127.0.0.1:0", string accountUrl = "http://127.0.0.1:0")
    {
        var emulator = new RunComfyEmulator(options ?? new EmulatorOptions(), apiUrl, storageUrl, accountUrl);
        await emulator._api.StartAsync();
        await emulator._storage.StartAsync();
        await emulator._account.StartAsync();
        emulator.BaseUri = new Uri(emulator._api.Urls.First());
        emulator.StorageUri = new Uri(emulator._storage.Urls.First());
        emulator.AccountUri = new Uri(emulator._account.Urls.First());
        return emulator;
    }

    /// <summary>What is left in a user's wallet after the jobs accepted so far.</summary>
    public decimal Balance(string token) => _wallets.Balance(token);

    public Uri SampleImage(string name) => new(StorageUri, "samples/" + name);

    /// <summary>The exact bytes a download of any finished job's video must produce.</summary>
    public byte[] ExpectedVideoBytes() => VideoStore.Materialize(VideoStore.SizeFor(Options));

    public IReadOnlyDictionary<JobState, int> JobCounts() => _queue.CountByState();

    public async ValueTask DisposeAsync()
    {
        foreach (var origin in new[] { _api, _storage, _account })
        {
            await origin.StopAsync();
            await origin.DisposeAsync();
        }
    }

    private WebApplication Build(string url, Action<WebApplication> map)
    {
        var address = new Uri(url.Replace("://localhost", "://127.0.0.1", StringComparison.OrdinalIgnoreCase));
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        // Signals are the program's business (Program.cs), not each origin's: tests start many emulators in one process.
        builder.Services.AddSingleton<IHostLifetime, SignalFreeLifetime>();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MaxRequestBodySize = 16 * 1024 * 1024;
            kestrel.Listen(IPAddress.Parse(address.Host), address.Port, listen => listen.Use(next => async connection =>
            {
                Stats.ConnectionOpened();
                try
                {
                    // A new connection to a remote host costs a round trip before the first request.
                    await Latency(connection.ConnectionClosed);
                    await next(connection);
                }
                finally { Stats.ConnectionClosed(); }
            }));
        });
        var app = builder.Build();
        app.Use(async (http, next) =>
        {
            Stats.RequestStarted();
            try
            {
                // The service fetching an image from its own storage is not a round trip to the user.
                if (!http.Request.Headers.ContainsKey(InternalHeader)) await Latency(http.RequestAborted);
                await next(http);
            }
            finally { Stats.RequestEnded(); }
        });
        map(app);
        return app;
    }

    private Task Latency(CancellationToken cancel) => Options.Latency > TimeSpan.Zero ? Task.Delay(Options.Latency, cancel) : Task.CompletedTask;

    private void MapAccount(WebApplication app)
    {
        app.MapGet("/prod/v2/balance", async http =>
        {
            var token = BearerToken(http);
            if (token is null || !Options.Tokens.Contains(token))
            {
                await Write(http, ErrorResponses.ServiceError(Options, ErrorResponses.BadToken, "Missing, expired or revoked API token."));
                return;
            }
            Stats.Count(EmulatorEndpoint.Balance, null);
            await Write(http, Reply.Json(200, new Dictionary<string, object> { ["balance_usd"] = _wallets.Balance(token), ["currency"] = "USD" }));
        });
    }

    private void MapApi(WebApplication app)
    {
        app.MapPost("/v1/models/" + ModelId, http => Serve(http, EmulatorEndpoint.Submit, null, Submit));
        app.MapMethods("/v1/models/{**model}", new[] { "GET", "POST" }, (HttpContext http, string model) =>
            Serve(http, EmulatorEndpoint.Model, null, (_, _) => Task.FromResult(model == ModelId && HttpMethods.IsGet(http.Request.Method)
                ? Reply.Json(200, ModelInfo(Options))
                : ErrorResponses.ServiceError(Options, ErrorResponses.InvalidModel, $"Invalid model id '{model}'."))));
        app.MapGet("/v1/requests/{id}/status", (HttpContext http, string id) => Serve(http, EmulatorEndpoint.Status, id, (t, _) => Task.FromResult(WithJob(id, t, Status))));
        app.MapGet("/v1/requests/{id}/result", (HttpContext http, string id) => Serve(http, EmulatorEndpoint.Result, id, (t, _) => Task.FromResult(WithJob(id, t, Result))));
        app.MapPost("/v1/requests/{id}/cancel", (HttpContext http, string id) => Serve(http, EmulatorEndpoint.Cancel, id, (t, _) => Task.FromResult(WithJob(id, t, Cancel))));
        app.MapGet("/_emulator/stats", () => Results.Json(Stats.Snapshot(_queue)));
        app.MapFallback(http => Write(http, ErrorResponses.Render(Options.ErrorShape == ErrorShape.Natural ? ErrorShape.DetailString : Options.ErrorShape, 404, 404000, "Not Found", null)));
    }

    private void MapStorage(WebApplication app)
    {
        app.Use(async (http, next) =>
        {
            if (http.Request.Headers.ContainsKey("Authorization")) Stats.CountStorageAuthorization();
            await next(http);
        });
        app.MapMethods("/videos/{id}.mp4", new[] { "GET", "HEAD" }, DownloadVideo);
        app.MapGet("/samples", () => Results.Json(SampleImages.All.Keys.OrderBy(k => k)));
        app.MapMethods("/samples/{name}", new[] { "GET", "HEAD" }, ServeSample);
    }

    // Counts, authenticates and injects faults around one API call, then writes its reply.
    private async Task Serve(HttpContext http, EmulatorEndpoint endpoint, string? requestId, Func<string, HttpContext, Task<Reply>> handle)
    {
        Stats.Count(endpoint, requestId);
        var options = Options;
        var token = BearerToken(http);
        if (token is null || !options.Tokens.Contains(token))
        {
            await Write(http, ErrorResponses.ServiceError(options, ErrorResponses.BadToken, "Missing, expired or revoked API token, or the account is inactive."));
            return;
        }
        var fault = _faults.Draw(options.Faults, endpoint, requestId ?? await SubmissionKey(http));
        if (fault is not null) Stats.CountFault();
        switch (fault)
        {
            case FaultKind.TooManyRequestsSeconds:
                http.Response.Headers.RetryAfter = ((int)Math.Ceiling(options.Faults.RetryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                await Write(http, ErrorResponses.Render(options.ErrorShape, 429, 429000, "Too many requests.", null));
                return;
            case FaultKind.TooManyRequestsDate:
                http.Response.Headers.RetryAfter = (_clock.GetUtcNow() + options.Faults.RetryAfter).ToString("r", CultureInfo.InvariantCulture);
                await Write(http, ErrorResponses.Render(options.ErrorShape, 429, 429000, "Too many requests.", null));
                return;
            case FaultKind.InternalServerError or FaultKind.BadGateway or FaultKind.ServiceUnavailable:
                var status = fault switch { FaultKind.InternalServerError => 500, FaultKind.BadGateway => 502, _ => 503 };
                await Write(http, ErrorResponses.Render(options.ErrorShape, status, status * 1000, "The service is temporarily unavailable.", null));
                return;
            case FaultKind.ErrorIn200:
                await Write(http, Reply.Json(200, new Dictionary<string, object> { ["error_code"] = 500000, ["error_message"] = "Internal error, please retry." }));
                return;
            case FaultKind.SlowResponse:
                await Task.Delay(options.Faults.SlowDelay, http.RequestAborted);
                break;
            case FaultKind.Stall:
                await Hang(http);
                return;
        }
        var reply = await handle(token, http);
        if (reply.Status == 200) reply = Misbehave(fault, reply, token);
        if (fault == FaultKind.UnknownStatus && reply.Status == 200 && System.Text.Json.Nodes.JsonNode.Parse(reply.Body) is System.Text.Json.Nodes.JsonObject unknown)
        {
            unknown["status"] = "warming_up";
            unknown.Remove("queue_position");
            reply = reply with { Body = unknown.ToJsonString() };
        }
        await Write(http, reply, dropMidBody: fault == FaultKind.DropConnection);
    }

    // The answer as a careless or broken service would give it, the work already done.
    private static Reply Misbehave(FaultKind? fault, Reply reply, string token)
    {
        switch (fault)
        {
            case FaultKind.NoRequestId when System.Text.Json.Nodes.JsonNode.Parse(reply.Body) is System.Text.Json.Nodes.JsonObject accepted:
                accepted.Remove("request_id");
                accepted["status"] = "in_queue";
                return reply with { Body = accepted.ToJsonString() };
            case FaultKind.UnreadableBody:
                return reply with { Body = "<html><body>Accepted</body></html>", ContentType = "text/html" };
            case FaultKind.EchoToken when System.Text.Json.Nodes.JsonNode.Parse(reply.Body) is System.Text.Json.Nodes.JsonObject answer:
                answer["error"] = new System.Text.Json.Nodes.JsonObject { ["code"] = "upstream", ["message"] = $"Upstream call with Authorization: Bearer {token} failed; token {token} was logged." };
                return reply with { Body = answer.ToJsonString() };
            default:
                return reply;
        }
    }

    /// <summary>Holds a request open without a word until the client gives up (or ten minutes pass).</summary>
    internal static async Task Hang(HttpContext http)
    {
        try { await Task.Delay(TimeSpan.FromMinutes(10), http.RequestAborted); }
        catch (OperationCanceledException) { }
    }

    // A submission's retries carry the same body: faults in a row are counted per body, as per request id elsewhere.
    private static async Task<string> SubmissionKey(HttpContext http)
    {
        if (!HttpMethods.IsPost(http.Request.Method)) return "";
        http.Request.EnableBuffering();
        using var copy = new MemoryStream();
        await http.Request.Body.CopyToAsync(copy, http.RequestAborted);
        http.Request.Body.Position = 0;
        return Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(copy.ToArray()));
    }

    private static async Task Write(HttpContext http, Reply reply, bool dropMidBody = false)
    {
        http.Response.StatusCode = reply.Status;
        http.Response.ContentType = reply.ContentType;
        var body = System.Text.Encoding.UTF8.GetBytes(reply.Body);
        if (!dropMidBody)
        {
            await http.Response.Body.WriteAsync(body);
            return;
        }
        // The work is done but the client never gets the whole answer: the case where a retry could duplicate a paid job.
        http.Response.ContentLength = body.Length;
        await http.Response.Body.WriteAsync(body.AsMemory(0, body.Length / 2));
        await http.Response.Body.FlushAsync();
        http.Abort();
    }

    private static string? BearerToken(HttpContext http)
    {
        var header = http.Request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header[7..].Trim() : null;
    }

    private Reply WithJob(string id, string token, Func<EmulatedJob, int?, Reply> answer)
    {
        var found = _queue.Find(id);
        if (found is not { } f) return ErrorResponses.ServiceError(Options, ErrorResponses.NoSuchRequest, $"Request '{id}' does not exist, was deleted, or expired.");
        if (f.Job.Token != token) return ErrorResponses.ServiceError(Options, ErrorResponses.OtherUsersRequest, $"Request '{id}' belongs to another user.");
        return answer(f.Job, f.QueuePosition);
    }

    private Reply Status(EmulatedJob job, int? position)
    {
        Noticed(job);
        var body = new Dictionary<string, object?>
        {
            ["request_id"] = job.Id,
            ["status"] = StatusWord(job),
        };
        if (position is not null) body["queue_position"] = position;
        body["status_url"] = Link(job, "status");
        body["result_url"] = Link(job, "result");
        return Reply.Json(200, body);
    }

    private void Noticed(EmulatedJob job)
    {
        if (job.State is JobState.Succeeded or JobState.Failed && job.NoticedAt is null) job.NoticedAt = _clock.GetUtcNow();
    }

    private string StatusWord(EmulatedJob job) => job.State switch
    {
        JobState.Queued => "in_queue",
        JobState.Running => "in_progress",
        JobState.Succeeded => "completed",
        JobState.Failed => Options.FailedStatusWord,
        _ => "cancelled",
    };

    private Reply Result(EmulatedJob job, int? _)
    {
        Noticed(job);
        var body = new Dictionary<string, object?>
        {
            ["request_id"] = job.Id,
            ["status"] = job.State switch
            {
                JobState.Queued => "in_queue",
                JobState.Running => "in_progress",
                JobState.Succeeded => "succeeded",
                JobState.Failed => "failed",
                _ => "cancelled",
            },
            ["created_at"] = job.SubmittedAt.ToString("O", CultureInfo.InvariantCulture),
        };
        if (job.State == JobState.Succeeded) body["output"] = new Dictionary<string, object> { ["video"] = new Uri(StorageUri, $"videos/{job.Id}.mp4").AbsoluteUri };
        if (job.State == JobState.Failed) body["error"] = new Dictionary<string, object> { ["code"] = "generation_failed", ["message"] = "The model could not generate a video from this image and prompt." };
        if (job.FinishedAt is { } finished) body["finished_at"] = finished.ToString("O", CultureInfo.InvariantCulture);
        return Reply.Json(200, body);
    }

    private Reply Cancel(EmulatedJob job, int? _)
    {
        var cancelled = _queue.TryCancel(job);
        return Reply.Json(202, new Dictionary<string, object>
        {
            ["request_id"] = job.Id,
            ["status"] = StatusWord(job),
            ["outcome"] = cancelled ? "cancelled" : "not_cancellable",
        });
    }

    private string Link(EmulatedJob job, string what) => new Uri(BaseUri, $"v1/requests/{job.Id}/{what}").AbsoluteUri;

    private async Task<Reply> Submit(string token, HttpContext http)
    {
        var options = Options;
        var body = new MemoryStream();
        var buffer = new byte[8192];
        int read;
        try
        {
            while ((read = await http.Request.Body.ReadAsync(buffer, http.RequestAborted)) > 0)
            {
                body.Write(buffer, 0, read);
                if (body.Length > MaxBodyBytes) return ErrorResponses.Validation(options, 413, $"The request body is larger than {MaxBodyBytes} bytes.");
            }
        }
        catch (Microsoft.AspNetCore.Http.BadHttpRequestException e)
        {
            return ErrorResponses.Validation(options, e.StatusCode, "The request body could not be read: " + e.Message);
        }

        JsonElement root;
        try
        {
            // Strict UTF-8 first: JSON text with broken bytes in a string would otherwise fail later, as a 500.
            using var document = JsonDocument.Parse(new System.Text.UTF8Encoding(false, throwOnInvalidBytes: true).GetString(body.ToArray()));
            root = document.RootElement.Clone();
        }
        catch (Exception e) when (e is JsonException or ArgumentException or System.Text.DecoderFallbackException)
        {
            // A client's broken body, invalid UTF-8 included, is its error (400), never the service's (500).
            return ErrorResponses.Validation(options, 400, "The body is not valid JSON: " + e.Message);
        }
        if (root.ValueKind != JsonValueKind.Object) return ErrorResponses.Validation(options, 422, "Input should be a valid dictionary.", "body");

        if (!root.TryGetProperty("prompt", out var prompt)) return ErrorResponses.Validation(options, 422, "Field required.", "body", "prompt");
        if (prompt.ValueKind != JsonValueKind.String) return ErrorResponses.Validation(options, 422, "Input should be a valid string.", "body", "prompt");
        var promptText = prompt.GetString()!;
        if (promptText.EnumerateRunes().Count() > PromptLimit) return ErrorResponses.Validation(options, 422, $"String should have at most {PromptLimit} characters.", "body", "prompt");

        if (!root.TryGetProperty("image_urls", out var images)) return ErrorResponses.Validation(options, 422, "Field required.", "body", "image_urls");
        if (images.ValueKind != JsonValueKind.Array) return ErrorResponses.Validation(options, 422, "Input should be a valid list.", "body", "image_urls");
        if (images.GetArrayLength() != 1) return ErrorResponses.Validation(options, 422, "List should have exactly 1 item.", "body", "image_urls");
        if (images[0].ValueKind != JsonValueKind.String) return ErrorResponses.Validation(options, 422, "Input should be a valid string.", "body", "image_urls", 0);
        var imageUrl = images[0].GetString()!;

        long seed = -1;
        if (root.TryGetProperty("seed", out var seedValue) && (seedValue.ValueKind != JsonValueKind.Number || !seedValue.TryGetInt64(out seed)))
            return ErrorResponses.Validation(options, 422, "Input should be a valid integer.", "body", "seed");
        var frames = 121;
        if (root.TryGetProperty("frames", out var framesValue) && (framesValue.ValueKind != JsonValueKind.Number || !framesValue.TryGetInt32(out frames) || frames is not (121 or 241)))
            return ErrorResponses.Validation(options, 422, "Input should be 121 or 241.", "body", "frames");

        var imageProblem = await CheckImage(imageUrl, options, http.RequestAborted);
        if (imageProblem is not null) return ErrorResponses.Validation(options, 400, imageProblem, "body", "image_urls", 0);

        if (!_wallets.TryCharge(token, options.CostOf(frames)))
            return ErrorResponses.ServiceError(options, ErrorResponses.InsufficientBalance, "Insufficient balance.");

        var now = _clock.GetUtcNow();
        var job = new EmulatedJob
        {
            Id = Guid.NewGuid().ToString(),
            Token = token,
            Prompt = promptText,
            ImageUrl = imageUrl,
            Seed = seed,
            Frames = frames,
            WillFail = promptText.Contains(options.FailWord, StringComparison.OrdinalIgnoreCase) || _faults.Chance(options.Faults, options.FailureRate),
            RunTime = options.Scaled(RunTimeFor(promptText, options)),
            SubmittedAt = now,
            EligibleAt = now + options.Scaled(options.QueueDelay),
        };
        _queue.Add(job);
        return Reply.Json(200, new Dictionary<string, object>
        {
            ["request_id"] = job.Id,
            ["status_url"] = Link(job, "status"),
            ["result_url"] = Link(job, "result"),
            ["cancel_url"] = Link(job, "cancel"),
        });
    }

    /// <summary>A prompt may carry <c>#run=SECONDS</c> to give its job its own duration (service time).</summary>
    private static TimeSpan RunTimeFor(string prompt, EmulatorOptions options)
    {
        var at = prompt.IndexOf("#run=", StringComparison.OrdinalIgnoreCase);
        if (at < 0) return options.RunDuration;
        var digits = new string(prompt.Skip(at + 5).TakeWhile(c => char.IsDigit(c) || c == '.').ToArray());
        return double.TryParse(digits, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) ? TimeSpan.FromSeconds(seconds) : options.RunDuration;
    }

    private static async Task<string?> CheckImage(string url, EmulatorOptions options, CancellationToken cancel)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
            return "Image URL must be an absolute HTTP(S) URL.";
        if (!uri.IsLoopback) return options.AcceptRemoteImages ? null : "The emulator fetches images from loopback only; start it with --accept-remote-images to skip the check.";
        try
        {
            using var response = await ImageFetcher.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, cancel);
            if (!response.IsSuccessStatusCode) return $"The image could not be fetched: HTTP {(int)response.StatusCode}.";
            await using var stream = await response.Content.ReadAsStreamAsync(cancel);
            var data = new MemoryStream();
            var buffer = new byte[81920];
            int read;
            while (data.Length < ImageProbe.MaxBytes && (read = await stream.ReadAsync(buffer, cancel)) > 0) data.Write(buffer, 0, read);
            return ImageProbe.Violation(data.GetBuffer().AsSpan(0, (int)data.Length), data.Length);
        }
        catch (HttpRequestException e)
        {
            return "The image could not be fetched: " + e.Message;
        }
    }

    private async Task DownloadVideo(HttpContext http, string id)
    {
        Stats.Count(EmulatorEndpoint.Download, id);
        var found = _queue.Find(id);
        if (found is not { Job.State: JobState.Succeeded })
        {
            http.Response.StatusCode = 404;
            return;
        }
        var options = Options;
        var fault = _faults.Draw(options.Faults, EmulatorEndpoint.Download, id);
        if (fault is not null) Stats.CountFault();
        if (fault == FaultKind.ServiceUnavailable)
        {
            http.Response.StatusCode = 503;
            return;
        }
        if (fault == FaultKind.SlowResponse) await Task.Delay(options.Faults.SlowDelay, http.RequestAborted);
        switch (fault)
        {
            case FaultKind.Stall:
                await Hang(http);
                return;
            case FaultKind.RedirectToFile:
                http.Response.Redirect("file:///etc/passwd");
                return;
            case FaultKind.HtmlIn200:
                http.Response.ContentType = "text/html";
                await http.Response.WriteAsync("<!DOCTYPE html><html><head><title>Sign in</title></head><body>Please sign in to continue.</body></html>", http.RequestAborted);
                return;
        }
        var cut = fault switch
        {
            FaultKind.TruncatedDownload => VideoStore.Cut.Drop,
            FaultKind.StallMidBody => VideoStore.Cut.Stall,
            FaultKind.ShortChunked => VideoStore.Cut.EndEarly,
            _ => VideoStore.Cut.None,
        };
        await VideoStore.Serve(http, VideoStore.SizeFor(options), cut, http.RequestAborted);
    }

    private async Task ServeSample(HttpContext http, string name)
    {
        Stats.Count(EmulatorEndpoint.Sample, name);
        if (SampleImages.Named(name) is not { } image)
        {
            http.Response.StatusCode = 404;
            return;
        }
        var fault = _faults.Draw(Options.Faults, EmulatorEndpoint.Sample, name);
        if (fault is not null) Stats.CountFault();
        http.Response.ContentType = name.EndsWith(".jpg", StringComparison.OrdinalIgnoreCase) ? "image/jpeg" : "image/png";
        switch (fault)
        {
            case FaultKind.Stall:
                await Hang(http);
                return;
            case FaultKind.RedirectToFile:
                http.Response.Redirect("file:///etc/passwd");
                return;
            case FaultKind.StallMidBody:
                http.Response.ContentLength = image.Length;
                await http.Response.Body.WriteAsync(image.AsMemory(0, Math.Min(image.Length / 2, 16)), http.RequestAborted);
                await http.Response.Body.FlushAsync(http.RequestAborted);
                await Hang(http);
                return;
            case FaultKind.UnknownLength when System.Net.Http.Headers.RangeHeaderValue.TryParse(http.Request.Headers.Range.ToString(), out var range) && range.Ranges.Count == 1:
                // A host that serves ranges but will not say how long the file is.
                var from = range.Ranges.First().From ?? 0;
                var to = Math.Min(range.Ranges.First().To ?? image.Length - 1, image.Length - 1);
                if (from >= image.Length)
                {
                    http.Response.StatusCode = 416;
                    return;
                }
                http.Response.StatusCode = 206;
                http.Response.Headers.ContentRange = $"bytes {from}-{to}/*";
                await http.Response.Body.WriteAsync(image.AsMemory((int)from, (int)(to - from + 1)), http.RequestAborted);
                return;
        }
        if (HttpMethods.IsHead(http.Request.Method))
        {
            http.Response.ContentLength = image.Length;
            return;
        }
        await Results.Bytes(image, http.Response.ContentType, enableRangeProcessing: true).ExecuteAsync(http);
    }

    private static Dictionary<string, object> ModelInfo(EmulatorOptions options)
    {
        var info = new Dictionary<string, object>
        {
            ["model_id"] = ModelId,
            ["name"] = "Dreamina 3.0 Pro image-to-video (emulated)",
            ["input_schema"] = InputSchema,
        };
        if (options.PriceUsd is { } price)
        {
            info["base_price_usd"] = price;
            info["price_unit"] = options.PriceUnit;
        }
        return info;
    }

    private static readonly Dictionary<string, object> InputSchema = new()
        {
            ["required"] = new[] { "prompt", "image_urls" },
            ["properties"] = new Dictionary<string, object>
            {
                ["prompt"] = new Dictionary<string, object> { ["type"] = "string", ["maxLength"] = PromptLimit },
                ["image_urls"] = new Dictionary<string, object> { ["type"] = "array", ["minItems"] = 1, ["maxItems"] = 1 },
                ["seed"] = new Dictionary<string, object> { ["type"] = "integer", ["default"] = -1 },
                ["frames"] = new Dictionary<string, object> { ["type"] = "integer", ["enum"] = new[] { 121, 241 }, ["default"] = 121 },
            },
    };
}

/// <summary>A host lifetime that listens to no console signals.</summary>
internal sealed class SignalFreeLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
