using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Dreamina.Emulator;

/// <summary>The Model API origin: submit, status, result, cancel and the model's info (its price), with the queue behind them.</summary>
public sealed partial class RunComfyEmulator
{
    private void MapApi(WebApplication app)
    {
        app.MapPost("/v1/models/" + ModelId, http => Serve(http, EmulatorEndpoint.Submit, null, Submit));
        app.MapMethods("/v1/models/{**model}", new[] { "GET", "POST" }, (HttpContext http, string model) =>
            Serve(http, EmulatorEndpoint.Model, null, (_, _) => Task.FromResult(model == ModelId && HttpMethods.IsGet(http.Request.Method)
                ? Reply.Json(200, ModelInfo(Options))
                : ErrorResponses.ServiceError(Options, ErrorResponses.InvalidModel, $"Invalid model id '{model}'."))));
        app.MapGet("/v1/requests/{id}/status", (HttpContext http, string id) => Serve(http, EmulatorEndpoint.Status, id, (t, _) => Task.FromResult(WithJob(id, t, Status))));
        app.MapGet("/v1/requests/{id}/result", (HttpContext http, string id) => Serve(http, EmulatorEndpoint.Result, id,
            (t, _) => Task.FromResult(WithJob(id, t, (job, position) => Result(job, http.Request.Query["include_cost"] == "true")))));
        app.MapPost("/v1/requests/{id}/cancel", (HttpContext http, string id) => Serve(http, EmulatorEndpoint.Cancel, id, (t, _) => Task.FromResult(WithJob(id, t, Cancel))));
        app.MapGet("/_emulator/stats", () => Results.Json(Stats.Snapshot(_queue)));
        app.MapFallback(http => Write(http, ErrorResponses.Render(Options.ErrorShape == ErrorShape.Natural ? ErrorShape.DetailString : Options.ErrorShape, 404, 404000, "Not Found", null)));
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
        JobState.Queued => Options.QueuedStatusWord,
        JobState.Running => Options.RunningStatusWord,
        JobState.Succeeded => "completed",
        JobState.Failed => Options.FailedStatusWord,
        _ => "cancelled",
    };

    private Reply Result(EmulatedJob job, bool includeCost)
    {
        Noticed(job);
        var body = new Dictionary<string, object?>
        {
            ["request_id"] = job.Id,
            ["model_id"] = Options.ResultModelId,
            ["status"] = job.State switch
            {
                JobState.Queued => Options.QueuedStatusWord,
                JobState.Running => Options.RunningStatusWord,
                JobState.Succeeded => "succeeded",
                JobState.Failed => "failed",
                _ => "cancelled",
            },
            ["created_at"] = job.SubmittedAt.ToString("O", CultureInfo.InvariantCulture),
        };
        if (job.State == JobState.Succeeded) body["output"] = new Dictionary<string, object> { ["video"] = new Uri(Options.PublicStorageUri ?? StorageUri, $"videos/{job.Id}.mp4").AbsoluteUri };
        if (job.State == JobState.Failed) body["error"] = new Dictionary<string, object> { ["code"] = "generation_failed", ["message"] = "The model could not generate a video from this image and prompt." };
        if (job.FinishedAt is { } finished) body["finished_at"] = finished.ToString("O", CultureInfo.InvariantCulture);
        // What was charged, once the job has finished (a cancelled one is not billed).
        if (includeCost && !Options.OmitCost && job.State is JobState.Succeeded or JobState.Failed) body["cost"] = Options.ReportedCost ?? Options.CostOf(job.Frames);
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
        var buffer = new byte[81920];
        int read;
        long length = 0;
        try
        {
            // Read to the end even past the limit (keeping none of it), so the client hears the 413 instead of a broken pipe.
            while ((read = await http.Request.Body.ReadAsync(buffer, http.RequestAborted)) > 0)
            {
                length += read;
                if (length <= MaxBodyBytes) body.Write(buffer, 0, read);
            }
            if (length > MaxBodyBytes) return ErrorResponses.Validation(options, 413, $"The request body is larger than {MaxBodyBytes} bytes.");
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
        if (promptText.EnumerateRunes().Count() > options.PromptMaxLength) return ErrorResponses.Validation(options, 422, $"String should have at most {options.PromptMaxLength} characters.", "body", "prompt");

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

        var inline = imageUrl.StartsWith("data:", StringComparison.OrdinalIgnoreCase) ? InlineImage.Decode(imageUrl) : null;
        if (inline is not null && options.RefuseInlineImages) return ErrorResponses.Validation(options, 422, "Input should be a valid URL, relative URL without a base.", "body", "image_urls", 0);
        var imageProblem = inline is null ? await CheckImage(imageUrl, options, http.RequestAborted)
            : inline.Bytes is { } decoded ? ImageProbe.Violation(decoded, decoded.Length, options.MaxImageMegabytes) : inline.Problem;
        if (imageProblem is not null) return ErrorResponses.Validation(options, 400, imageProblem, "body", "image_urls", 0);

        if (!_wallets.TryCharge(token, options.CostOf(frames)))
            return ErrorResponses.ServiceError(options, ErrorResponses.InsufficientBalance, "Insufficient balance.");

        var now = _clock.GetUtcNow();
        var job = new EmulatedJob
        {
            Id = Guid.NewGuid().ToString(),
            Token = token,
            Prompt = promptText,
            ImageUrl = inline is null ? imageUrl : $"data:{inline.ContentType};base64,... ({inline.Bytes!.Length} bytes)",
            InlineImageSha256 = inline is null ? null : Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(inline.Bytes!)).ToLowerInvariant(),
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
            return ImageProbe.Violation(data.GetBuffer().AsSpan(0, (int)data.Length), data.Length, options.MaxImageMegabytes);
        }
        catch (HttpRequestException e)
        {
            return "The image could not be fetched: " + e.Message;
        }
    }

    private static Dictionary<string, object> Validation(string rule, decimal value, string error)
        => new() { ["validation_rule"] = rule, ["validation_value"] = value, ["validation_error"] = error };

    private static Dictionary<string, object> ModelInfo(EmulatorOptions options)
    {
        var info = new Dictionary<string, object>
        {
            ["model_id"] = ModelId,
            ["name"] = "Dreamina 3.0 Pro image-to-video (emulated)",
            ["input_schema"] = InputSchema(options),
        };
        if (options.PriceUsd is { } price)
        {
            info["base_price_usd"] = price;
            info["price_unit"] = options.PriceUnit;
        }
        return info;
    }

    // The page's form of the schema: per-field validations with the service's own words.
    private static Dictionary<string, object> InputSchema(EmulatorOptions options) => new()
        {
            ["required"] = new[] { "prompt", "image_urls" },
            ["properties"] = new Dictionary<string, object>
            {
                ["prompt"] = new Dictionary<string, object> { ["type"] = "string", ["maxLength"] = options.PromptMaxLength },
                ["image_urls"] = new Dictionary<string, object>
                {
                    ["type"] = "array", ["minItems"] = 1, ["maxItems"] = 1,
                    ["validations"] = new[]
                    {
                        Validation("file_size_mb<", options.MaxImageMegabytes, $"File size must be less than {options.MaxImageMegabytes.ToString(CultureInfo.InvariantCulture)} MB."),
                        Validation("width_pixels<=", 4096, "Maximum resolution is 4096x4096."),
                        Validation("height_pixels<=", 4096, "Maximum resolution is 4096x4096."),
                        Validation("width_pixels>", 320, "The shortest side must be at least 320 pixels."),
                        Validation("height_pixels>", 320, "The shortest side must be at least 320 pixels."),
                        Validation("width/height<", 3, "The ratio of long side to short side must be within 3:1."),
                        Validation("width/height>", 0.3333m, "The ratio of long side to short side must be within 3:1."),
                    },
                },
                ["seed"] = new Dictionary<string, object> { ["type"] = "integer", ["default"] = -1 },
                ["frames"] = new Dictionary<string, object> { ["type"] = "integer", ["enum"] = new[] { 121, 241 }, ["default"] = 121 },
            },
    };
}
