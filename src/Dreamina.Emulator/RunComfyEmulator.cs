using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Security.Cryptography.X509Certificates;
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
public sealed partial class RunComfyEmulator : IAsyncDisposable
{
    public const string ModelId = "bytedance/dreamina-3-0/pro/image-to-video";
    /// <summary>What one request may carry: 64 MiB, as RunComfy's own client caps requests with inline media.</summary>
    private const int MaxBodyBytes = 64 * 1024 * 1024;

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

    /// <summary>Every job submitted so far, as the emulator received it.</summary>
    public IReadOnlyList<EmulatedJob> Jobs() => _queue.Snapshot();

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
            kestrel.Limits.MaxRequestBodySize = 4L * MaxBodyBytes;
            kestrel.Listen(IPAddress.Parse(address.Host), address.Port, listen =>
            {
                if (address.Scheme == Uri.UriSchemeHttps) listen.UseHttps(X509CertificateLoader.LoadPkcs12FromFile(Options.CertificatePath ?? throw new ArgumentException($"{url} is https: give --certificate."), null));
                listen.Use(next => async connection =>
                {
                    Stats.ConnectionOpened();
                    try
                    {
                        // A new connection to a remote host costs a round trip before the first request.
                        await Latency(connection.ConnectionClosed);
                        await next(connection);
                    }
                    finally { Stats.ConnectionClosed(); }
                });
            });
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
            case FaultKind.NotFound:
                await Write(http, ErrorResponses.Render(options.ErrorShape, 404, 404000, "Not Found", null));
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

}

/// <summary>A host lifetime that listens to no console signals.</summary>
internal sealed class SignalFreeLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
