using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Threading.Tasks;
using Dreamina.Emulator;
using Xunit;
using Xunit.Abstractions;

namespace Dreamina.Tests.Emulator;

/// <summary>The queue, cancellation, failures, the video origin and the counters.</summary>
public sealed class EmulatorQueueTests(ITestOutputHelper output)
{
    private static async Task<(RunComfyEmulator, ApiCaller)> Start(Action<EmulatorOptions> configure)
    {
        var options = new EmulatorOptions();
        configure(options);
        var emulator = await RunComfyEmulator.StartAsync(options);
        return (emulator, new ApiCaller(emulator));
    }

    [Fact]
    public async Task Only_the_configured_number_run_and_the_rest_wait_with_decreasing_positions()
    {
        var (emulator, api) = await Start(o => { o.Concurrency = 2; o.QueueDelay = TimeSpan.Zero; o.RunDuration = TimeSpan.FromSeconds(1); });
        await using var _ = emulator;
        var ids = new List<string>();
        for (var i = 0; i < 5; i++) ids.Add(await api.SubmitId());

        var states = await Task.WhenAll(ids.Select(api.Status));
        Assert.Equal(2, states.Count(s => s.Text("status") == "in_progress"));
        Assert.Equal(new[] { "1", "2", "3" }, states.Where(s => s.Text("status") == "in_queue").Select(s => s.Text("queue_position")));

        var last = ids[^1];
        var seen = new List<int>();
        while ((await api.Status(last)).Text("queue_position") is { } position)
        {
            if (seen.Count == 0 || seen[^1] != int.Parse(position)) seen.Add(int.Parse(position));
            await Task.Delay(20);
        }
        Assert.True(seen.SequenceEqual(seen.OrderByDescending(p => p)), "positions only go down: " + string.Join(",", seen));
        Assert.Equal("succeeded", (await api.Finished(last)).Text("status"));
    }

    [Fact]
    public async Task Cancel_stops_a_queued_job_but_not_a_running_one()
    {
        var (emulator, api) = await Start(o => { o.Concurrency = 1; o.QueueDelay = TimeSpan.Zero; o.RunDuration = TimeSpan.FromSeconds(30); });
        await using var _ = emulator;
        var running = await api.SubmitId();
        var queued = await api.SubmitId();

        var cancelQueued = await api.Cancel(queued);
        Assert.Equal(202, cancelQueued.Status);
        Assert.Equal("cancelled", cancelQueued.Text("outcome"));
        Assert.Equal("cancelled", (await api.Status(queued)).Text("status"));
        Assert.Equal("cancelled", (await api.Result(queued)).Text("status"));

        var cancelRunning = await api.Cancel(running);
        Assert.Equal(202, cancelRunning.Status);
        Assert.Equal("not_cancellable", cancelRunning.Text("outcome"));
        Assert.Equal("in_progress", (await api.Status(running)).Text("status"));
    }

    [Theory]
    [InlineData("completed")]
    [InlineData("failed")]
    public async Task A_failed_job_says_failed_on_result_and_what_is_configured_on_status(string statusWord)
    {
        var (emulator, api) = await Start(o => { o.TimeScale = 1.0 / 300; o.FailedStatusWord = statusWord; });
        await using var _ = emulator;
        var id = await api.SubmitId("make it #fail please");
        var result = await api.Finished(id);
        Assert.Equal("failed", result.Text("status"));
        Assert.Contains("could not generate", result.Json.GetProperty("error").GetProperty("message").GetString());
        Assert.False(result.Json.TryGetProperty("output", out var none), none.ToString());
        Assert.Equal(statusWord, (await api.Status(id)).Text("status"));
    }

    [Fact]
    public async Task The_video_is_a_real_mp4_with_length_etag_and_ranges_and_the_origin_counts_authorization_headers()
    {
        var (emulator, api) = await Start(o => { o.TimeScale = 1.0 / 300; o.VideoSizeBytes = 200_000; });
        await using var _ = emulator;
        var id = await api.SubmitId();
        var video = new Uri((await api.Finished(id)).Json.GetProperty("output").GetProperty("video").GetString()!);
        using var http = new HttpClient();

        using var whole = await http.GetAsync(video);
        var bytes = await whole.Content.ReadAsByteArrayAsync();
        Assert.Equal(200_000, whole.Content.Headers.ContentLength);
        Assert.Equal(emulator.ExpectedVideoBytes(), bytes);
        Assert.Equal("ftyp", System.Text.Encoding.ASCII.GetString(bytes, 4, 4));
        Assert.NotNull(whole.Headers.ETag);

        using var ranged = new HttpRequestMessage(HttpMethod.Get, video);
        ranged.Headers.Range = new RangeHeaderValue(150_000, null);
        using var part = await http.SendAsync(ranged);
        Assert.Equal(206, (int)part.StatusCode);
        Assert.Equal(bytes[150_000..], await part.Content.ReadAsByteArrayAsync());
        Assert.Equal(0, emulator.Stats.StorageAuthorizationHeaders);

        using var withToken = new HttpRequestMessage(HttpMethod.Get, video);
        withToken.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "leak");
        (await http.SendAsync(withToken)).Dispose();
        Assert.Equal(1, emulator.Stats.StorageAuthorizationHeaders);
    }

    [Fact]
    public async Task Counters_report_requests_per_endpoint_and_per_request_id()
    {
        var (emulator, api) = await Start(o => o.TimeScale = 1.0 / 300);
        await using var _ = emulator;
        var id = await api.SubmitId();
        await api.Status(id);
        await api.Status(id);
        await api.Result(id);
        Assert.Equal(1, emulator.Stats.Requests(EmulatorEndpoint.Submit));
        Assert.Equal(2, emulator.Stats.Requests(id, EmulatorEndpoint.Status));
        Assert.Equal(1, emulator.Stats.Requests(id, EmulatorEndpoint.Result));
        var stats = await api.Send(HttpMethod.Get, "_emulator/stats", null, authorize: false);
        Assert.Equal("2", stats.Json.GetProperty("requests_by_id").GetProperty(id).GetProperty("status").ToString());
        Assert.True(emulator.Stats.PeakConnections >= 1);
    }

    [Fact]
    public async Task Starts_quickly_and_holds_a_thousand_queued_jobs()
    {
        var clock = Stopwatch.StartNew();
        var (emulator, api) = await Start(o => { o.Concurrency = 2; o.RunDuration = TimeSpan.FromHours(1); });
        output.WriteLine($"emulator started in {clock.ElapsedMilliseconds} ms");
        await using var _ = emulator;
        clock.Restart();
        var ids = new List<string>();
        for (var i = 0; i < 1000; i++) ids.Add(await api.SubmitId());
        output.WriteLine($"1000 submissions in {clock.ElapsedMilliseconds} ms");
        Assert.Equal("998", (await api.Status(ids[^1])).Text("queue_position"));
        Assert.Equal(998, emulator.JobCounts()[JobState.Queued]);
    }
}
