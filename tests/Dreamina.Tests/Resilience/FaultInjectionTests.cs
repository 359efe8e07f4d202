using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Dreamina.Emulator;
using Dreamina.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace Dreamina.Tests.Resilience;

/// <summary>The full batch pipeline with one kind of fault switched on at a time.</summary>
public sealed class FaultInjectionTests(ITestOutputHelper output)
{
    private const int BatchSize = 12;

    public static TheoryData<string, FaultKind[], double, int, bool> Faults() => new()
    {
        // name, kinds, rate, most faults in a row, whether a submission may end as "outcome unknown"
        { "429 storm (Retry-After in seconds and as a date)", new[] { FaultKind.TooManyRequestsSeconds, FaultKind.TooManyRequestsDate }, 1.0, 3, false },
        { "5xx bursts", new[] { FaultKind.InternalServerError, FaultKind.BadGateway, FaultKind.ServiceUnavailable }, 0.5, 3, true },
        { "dropped connections", new[] { FaultKind.DropConnection }, 0.3, 2, true },
        { "truncated downloads", new[] { FaultKind.TruncatedDownload }, 0.6, 3, false },
        { "slow responses", new[] { FaultKind.SlowResponse }, 0.5, 2, false },
        { "errors inside HTTP 200", new[] { FaultKind.ErrorIn200 }, 0.3, 2, true },
        { "unknown status words", new[] { FaultKind.UnknownStatus }, 0.5, 3, false },
    };

    [Theory]
    [MemberData(nameof(Faults))]
    public async Task Every_job_ends_saved_or_with_a_clear_error_and_none_is_submitted_twice(string name, FaultKind[] kinds, double rate, int streak, bool submitMayFail)
    {
        var options = EmulatorFixture.FastOptions();
        options.Concurrency = 4;
        options.VideoSizeBytes = 400_000;
        options.Faults = new FaultOptions { Seed = 11, Rate = rate, Kinds = kinds, MaxConsecutive = streak, RetryAfter = TimeSpan.Zero, SlowDelay = TimeSpan.FromMilliseconds(100) };
        await using var emulator = await RunComfyEmulator.StartAsync(options);
        using var host = new PowerShellHost(emulator);
        host.UseFastRetries();

        var run = host.Run($$"""
            1..{{BatchSize}} | ForEach-Object { [pscustomobject]@{ Prompt = "shot $_"; ImageUri = $img } } |
                Start-DreaminaVideo | Wait-DreaminaJob -PollInterval 0.05 | Save-DreaminaVideo -Directory ./clips
            """, new Dictionary<string, object?> { ["img"] = emulator.SampleImage("street.png").AbsoluteUri });

        var files = run.Objects<FileInfo>().ToList();
        output.WriteLine($"{name}: {files.Count} saved, {run.Errors.Count} errors, {emulator.Stats.FaultsInjected} faults injected, {emulator.Stats.ApiRequests} API requests");
        Assert.True(emulator.Stats.FaultsInjected > 0, "the fault was never injected");
        Assert.Equal(BatchSize, files.Count + run.Errors.Count);
        Assert.All(files, f => Assert.Equal(emulator.ExpectedVideoBytes(), File.ReadAllBytes(f.FullName)));
        if (!submitMayFail) Assert.Empty(run.Errors);
        Assert.All(run.Errors, e =>
        {
            Assert.Equal(ErrorIds.SubmitOutcomeUnknown, e.FullyQualifiedErrorId.Split(',')[0]);
            Assert.Contains("not billed twice", e.Exception.Message);
        });
        Assert.InRange(emulator.JobCounts().Values.Sum(), files.Count, BatchSize);
        Assert.Empty(Directory.GetFiles(host.WorkDirectory, "*.part", SearchOption.AllDirectories));
        Assert.Equal(0, emulator.Stats.StorageAuthorizationHeaders);
    }

    [Fact]
    public async Task Retry_After_is_honoured()
    {
        var options = EmulatorFixture.FastOptions();
        options.Faults = new FaultOptions { Rate = 1, Kinds = new[] { FaultKind.TooManyRequestsSeconds }, Endpoints = new[] { EmulatorEndpoint.Status }, MaxConsecutive = 1, RetryAfter = TimeSpan.FromSeconds(1) };
        await using var emulator = await RunComfyEmulator.StartAsync(options);
        using var host = new PowerShellHost(emulator);
        host.UseFastRetries();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var run = host.Run("Get-DreaminaStatus -RequestId no-such-job -Verbose");
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(0.95), $"retried after {clock.Elapsed.TotalSeconds:0.00} s, before the service's Retry-After of 1 s");
        Assert.Equal(ErrorIds.RequestNotFound, run.Errors.Single().FullyQualifiedErrorId.Split(',')[0]);
        Assert.Contains(run.Verbose, v => v.Message.Contains("429") && v.Message.Contains("Retry 1"));
    }
}
