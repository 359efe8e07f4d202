using System;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Dreamina.Emulator;

/// <summary>The storage origin: finished jobs' videos (with ranges) and the sample images the tests submit.</summary>
public sealed partial class RunComfyEmulator
{
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
}
