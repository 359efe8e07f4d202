using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Text.Json;
using System.Threading.Tasks;
using Dreamina.Emulator;
using Dreamina.Tests.Infrastructure;
using Xunit;

namespace Dreamina.Tests.Pipeline;

/// <summary>Waiting follows what the queue shows, in real time (the emulator's clock is not scaled here).</summary>
public sealed class QueueFollowingTests
{
    [Fact]
    public async Task A_queue_that_stood_still_and_then_drains_is_followed_at_once_not_at_the_long_plans_it_had()
    {
        // One slot: a job holds it for 6 s while 20 queue behind it, then each of those runs 0.05 s. While the
        // queue stands still, the jobs behind are asked less and less often (up to a minute apart here); when the
        // front of the queue shows it moving, every queued job must be asked again at once.
        await using var emulator = await RunComfyEmulator.StartAsync(new EmulatorOptions
        {
            Concurrency = 1,
            QueueDelay = TimeSpan.Zero,
            TimeScale = 1,
            RunDuration = TimeSpan.FromSeconds(0.05),
        });
        using var host = new PowerShellHost(emulator);
        var run = host.Run(
            "@([pscustomobject]@{ Prompt = 'blocker #run=6' }) + (1..20 | ForEach-Object { [pscustomobject]@{ Prompt = \"quick $_\" } }) | " +
            "Start-DreaminaVideo -ImageUri $img -ThrottleLimit 1 | Wait-DreaminaJob -PollInterval 0.2",
            new Dictionary<string, object?> { ["img"] = emulator.SampleImage("street.png").AbsoluteUri }).ThrowOnError();
        Assert.Equal(21, run.Objects<DreaminaJob>().Count(j => j.Status == JobStatus.Completed));

        using var http = new HttpClient();
        var jobs = JsonDocument.Parse(await http.GetStringAsync(new Uri(emulator.BaseUri, "_emulator/stats"))).RootElement.GetProperty("jobs");
        Assert.Equal(21, jobs.GetProperty("noticed").GetInt32());
        // Without following the queue's new speed, the last jobs are noticed tens of seconds late.
        Assert.InRange(jobs.GetProperty("notice_seconds_max").GetDouble(), 0, 3);
    }
}
