using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Dreamina.Transport;
using Dreamina.Download;
using Dreamina.Emulator;
using Dreamina.Reporting;
using Dreamina.Service;
using Dreamina.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Xunit;

namespace Dreamina.Tests.Units;

public sealed class DownloaderTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("dreamina-download-").FullName;
    private readonly HttpClient _http = HttpTransport.Create(TimeSpan.FromSeconds(5));
    private readonly List<string> _log = new();

    public void Dispose()
    {
        _http.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    private sealed class ListLog(List<string> lines) : IActivityLog
    {
        public void Verbose(string message) => lines.Add(message);
        public void Debug(string message) => lines.Add(message);
        public void Warning(string message) => lines.Add(message);
        public void Information(string message) => lines.Add(message);
    }

    private VideoDownloader Downloader(long maxBytes = DownloadPolicy.DefaultMaxBytes, int retries = 5)
        => new(_http, new DownloadPolicy(null, maxBytes, new RetryPolicy { MaxRetries = retries, BaseDelay = TimeSpan.FromMilliseconds(5) }), new ListLog(_log));

    private async Task<(RunComfyEmulator Emulator, Uri Video)> FinishedVideo(Action<EmulatorOptions> configure)
    {
        var options = EmulatorFixture.FastOptions();
        configure(options);
        var emulator = await RunComfyEmulator.StartAsync(options);
        using var api = new Emulator.ApiCaller(emulator);
        var result = await api.Finished(await api.SubmitId());
        return (emulator, new Uri(result.Json.GetProperty("output").GetProperty("video").GetString()!));
    }

    [Fact]
    public async Task Truncated_transfers_resume_with_ranges_until_the_file_is_whole()
    {
        var (emulator, video) = await FinishedVideo(o => o.VideoSizeBytes = 2_000_000);
        await using var _ = emulator;
        emulator.Options.Faults = new FaultOptions { Rate = 1, Kinds = new[] { FaultKind.TruncatedDownload }, MaxConsecutive = 3 };
        var target = Path.Combine(_folder, "v.mp4");
        var file = await Downloader().DownloadAsync(video, target, "job-1", false, (_, _) => { }, CancellationToken.None);
        Assert.Equal(emulator.ExpectedVideoBytes(), File.ReadAllBytes(file.FullName));
        Assert.Contains(_log, l => l.Contains("Resuming at byte"));
        VideoDownloader.Settle(target);
        Assert.Equal(new[] { "v.mp4" }, Directory.GetFiles(_folder).Select(Path.GetFileName));
    }

    [Fact]
    public async Task Too_large_a_file_is_refused_and_nothing_is_left()
    {
        var (emulator, video) = await FinishedVideo(o => o.VideoSizeBytes = 1_000_000);
        await using var _ = emulator;
        var error = await Assert.ThrowsAsync<DreaminaException>(() => Downloader(maxBytes: 500_000).DownloadAsync(video, Path.Combine(_folder, "v.mp4"), "job-1", false, (_, _) => { }, CancellationToken.None));
        Assert.Equal(ErrorIds.DownloadTooLarge, error.ErrorId);
        Assert.Empty(Directory.GetFiles(_folder));
    }

    [Fact]
    public async Task A_body_without_a_length_is_cut_off_at_the_limit_and_nothing_is_left()
    {
        await using var server = await ScriptedServer.StartAsync();
        server.Handler = async http =>
        {
            var video = SampleVideos.Mp4(2_000_000);
            for (var at = 0; at < video.Length; at += 64 * 1024) await http.Response.Body.WriteAsync(video.AsMemory(at, Math.Min(64 * 1024, video.Length - at)), http.RequestAborted); // chunked
        };
        var reported = new List<long>();
        var error = await Assert.ThrowsAsync<DreaminaException>(() => Downloader(maxBytes: 1_000_000).DownloadAsync(new Uri(server.BaseUri, "v.mp4"), Path.Combine(_folder, "v.mp4"), "job-1", false, (have, _) => reported.Add(have), CancellationToken.None));
        Assert.Equal(ErrorIds.DownloadTooLarge, error.ErrorId);
        Assert.NotEmpty(reported);
        Assert.True(reported.Max() <= 1_000_000, $"progress reached {reported.Max():N0} bytes");
        Assert.Empty(Directory.GetFiles(_folder));
    }

    [Fact]
    public async Task A_full_disk_ends_the_download_at_once_without_asking_the_server_again()
    {
        var (emulator, video) = await FinishedVideo(o => o.VideoSizeBytes = 2_000_000);
        await using var _ = emulator;
        emulator.Stats.Reset();
        var downloader = new VideoDownloader(_http, new DownloadPolicy(null, DownloadPolicy.DefaultMaxBytes, new RetryPolicy { MaxRetries = 5, BaseDelay = TimeSpan.FromMilliseconds(5) }), new ListLog(_log),
            path => new DiskFullAfter(new FileStream(path, FileMode.OpenOrCreate), 500_000));
        var error = await Assert.ThrowsAsync<DreaminaException>(() => downloader.DownloadAsync(video, Path.Combine(_folder, "v.mp4"), "job-1", false, (_, _) => { }, CancellationToken.None));
        Assert.Equal(ErrorIds.DownloadWriteFailed, error.ErrorId);
        Assert.Contains("No space left on device", error.Message);
        Assert.Equal(1, emulator.Stats.Requests(EmulatorEndpoint.Download));
        Assert.Empty(Directory.GetFiles(_folder));
    }

    /// <summary>A file that refuses writes past a size, with the error a full disk gives.</summary>
    private sealed class DiskFullAfter(FileStream inner, long capacity) : Stream
    {
        public override bool CanRead => false;
        public override bool CanSeek => true;
        public override bool CanWrite => true;
        public override long Length => inner.Length;
        public override long Position { get => inner.Position; set => inner.Position = value; }
        public override void Flush() => inner.Flush();
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => inner.Seek(offset, origin);
        public override void SetLength(long value) => inner.SetLength(value);

        public override void Write(byte[] buffer, int offset, int count)
        {
            if (inner.Position + count > capacity) throw new IOException($"No space left on device : '{inner.Name}'");
            inner.Write(buffer, offset, count);
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing) inner.Dispose();
            base.Dispose(disposing);
        }
    }

    [Fact]
    public async Task A_redirect_to_a_host_outside_the_policy_is_not_followed()
    {
        await using var server = await ScriptedServer.StartAsync();
        server.Handler = http =>
        {
            http.Response.StatusCode = 302;
            http.Response.Headers.Location = "https://evil.example.net/v.mp4";
            return Task.CompletedTask;
        };
        var error = await Assert.ThrowsAsync<DreaminaException>(() => Downloader().DownloadAsync(new Uri(server.BaseUri, "v.mp4"), Path.Combine(_folder, "v.mp4"), "job-1", false, (_, _) => { }, CancellationToken.None));
        Assert.Equal(ErrorIds.DownloadHostRefused, error.ErrorId);
        Assert.Empty(Directory.GetFiles(_folder));
    }

    [Fact]
    public async Task A_server_that_ignores_ranges_is_downloaded_again_from_the_start()
    {
        var body = SampleVideos.Mp4(300_000);
        var calls = 0;
        await using var server = await ScriptedServer.StartAsync();
        server.Handler = async http =>
        {
            http.Response.ContentLength = body.Length;
            if (Interlocked.Increment(ref calls) == 1)
            {
                await http.Response.Body.WriteAsync(body.AsMemory(0, 100_000));
                await http.Response.Body.FlushAsync();
                http.Abort();
                return;
            }
            await http.Response.Body.WriteAsync(body); // a plain 200 whatever the Range header says
        };
        var file = await Downloader().DownloadAsync(new Uri(server.BaseUri, "v.mp4"), Path.Combine(_folder, "v.mp4"), "job-1", false, (_, _) => { }, CancellationToken.None);
        Assert.Equal(body, File.ReadAllBytes(file.FullName));
        Assert.Contains(_log, l => l.Contains("from the start"));
    }

    [Fact]
    public async Task A_connection_that_keeps_failing_ends_in_an_error_with_no_file_at_the_target()
    {
        await using var server = await ScriptedServer.StartAsync();
        server.Handler = async http =>
        {
            http.Response.ContentLength = 1000;
            await http.Response.Body.WriteAsync(SampleVideos.Mp4(1000).AsMemory(0, 10));
            await http.Response.Body.FlushAsync();
            http.Abort();
        };
        var target = Path.Combine(_folder, "v.mp4");
        var error = await Assert.ThrowsAsync<DreaminaException>(() => Downloader(retries: 2).DownloadAsync(new Uri(server.BaseUri, "v.mp4"), target, "job-1", false, (_, _) => { }, CancellationToken.None));
        Assert.Equal(ErrorIds.DownloadIncomplete, error.ErrorId);
        Assert.False(File.Exists(target));
        Assert.Contains("run the command again to resume", error.Message);
        Assert.True(File.Exists(VideoDownloader.PartialPath(target)), "what arrived is kept for the next run");
    }
}
