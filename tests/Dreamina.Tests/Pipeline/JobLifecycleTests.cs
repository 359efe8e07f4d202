using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading.Tasks;
using Dreamina.Emulator;
using Dreamina.Tests.Infrastructure;
using Xunit;

namespace Dreamina.Tests.Pipeline;

/// <summary>Cancelling, time limits, -Any, failures and bad tokens: each with an emulator set up for it.</summary>
public sealed class JobLifecycleTests
{
    private static async Task<RunComfyEmulator> Emulator(Action<EmulatorOptions> configure)
    {
        var options = EmulatorFixture.FastOptions();
        configure(options);
        return await RunComfyEmulator.StartAsync(options);
    }

    private static Dictionary<string, object?> Image(RunComfyEmulator emulator) => new() { ["img"] = emulator.SampleImage("street.png").AbsoluteUri };

    [Fact]
    public async Task Stop_cancels_a_queued_job_and_says_plainly_that_a_running_one_will_be_billed()
    {
        await using var emulator = await Emulator(o => { o.Concurrency = 1; o.QueueDelay = TimeSpan.Zero; o.TimeScale = 1; o.RunDuration = TimeSpan.FromMinutes(10); });
        using var host = new PowerShellHost(emulator);
        host.Run("$script:running = Start-DreaminaVideo 'first' $img; $script:queued = Start-DreaminaVideo 'second' $img", Image(emulator)).ThrowOnError();

        var cancelled = host.Run("$queued | Stop-DreaminaJob -PassThru").ThrowOnError().Objects<DreaminaJob>().Single();
        Assert.Equal(JobStatus.Cancelled, cancelled.Status);

        var refused = host.Run("$running | Stop-DreaminaJob -PassThru");
        var error = Assert.Single(refused.Errors);
        Assert.StartsWith(ErrorIds.NotCancellable + ",", error.FullyQualifiedErrorId);
        Assert.Contains("billed", error.Exception.Message);
        Assert.Same(refused.Objects<DreaminaJob>().Single(), error.TargetObject);

        var whatIf = emulator.Stats.Requests(EmulatorEndpoint.Cancel);
        host.Run("$running | Stop-DreaminaJob -WhatIf").ThrowOnError();
        Assert.Equal(whatIf, emulator.Stats.Requests(EmulatorEndpoint.Cancel));
        Assert.Equal(JobStatus.Cancelled, host.Run("Get-DreaminaJob -Status Cancelled").Objects<DreaminaJob>().Single().Status);
    }

    [Fact]
    public async Task Timeout_returns_without_the_unfinished_jobs_and_without_an_error()
    {
        await using var emulator = await Emulator(o => { o.TimeScale = 1; o.QueueDelay = TimeSpan.Zero; o.RunDuration = TimeSpan.FromMinutes(10); });
        using var host = new PowerShellHost(emulator);
        var clock = Stopwatch.StartNew();
        var run = host.Run("Start-DreaminaVideo 'slow' $img | Wait-DreaminaJob -Timeout 1 -PollInterval 0.1", Image(emulator));
        Assert.Empty(run.Errors);
        Assert.Empty(run.Output);
        Assert.InRange(clock.Elapsed.TotalSeconds, 0.9, 10);
        Assert.Equal(JobStatus.Running, host.Run("Get-DreaminaJob").Objects<DreaminaJob>().Single().Status);
    }

    [Fact]
    public async Task Any_returns_the_first_job_to_finish()
    {
        await using var emulator = await Emulator(o => { o.TimeScale = 1; o.Concurrency = 4; o.QueueDelay = TimeSpan.Zero; });
        using var host = new PowerShellHost(emulator);
        var run = host.Run("""
            $jobs = 'long #run=600', 'short #run=0.3', 'longer #run=900' | ForEach-Object { Start-DreaminaVideo $_ $img }
            $jobs | Wait-DreaminaJob -Any -PollInterval 0.05
            """, Image(emulator)).ThrowOnError();
        var first = Assert.Single(run.Objects<DreaminaJob>());
        Assert.Equal("short #run=0.3", first.Prompt);
        Assert.Equal(JobStatus.Completed, first.Status);
    }

    [Fact]
    public async Task Each_job_reaches_the_next_command_as_soon_as_it_finishes_not_when_all_have()
    {
        await using var emulator = await Emulator(o => { o.TimeScale = 1; o.Concurrency = 4; o.QueueDelay = TimeSpan.Zero; });
        using var host = new PowerShellHost(emulator);
        var run = host.Run("""
            'quick #run=0.2', 'slow #run=3' | ForEach-Object { Start-DreaminaVideo $_ $img } |
                Wait-DreaminaJob -PollInterval 0.05 |
                ForEach-Object { [pscustomobject]@{ Prompt = $_.Prompt; Arrived = [datetime]::UtcNow } }
            """, Image(emulator)).ThrowOnError();
        var arrivals = run.Output.Select(o => ((string)o.Properties["Prompt"].Value, (DateTime)o.Properties["Arrived"].Value)).ToList();
        Assert.Equal(new[] { "quick #run=0.2", "slow #run=3" }, arrivals.Select(a => a.Item1));
        Assert.True(arrivals[1].Item2 - arrivals[0].Item2 > TimeSpan.FromSeconds(1.5), "the quick job waited for the slow one");
    }

    [Fact]
    public async Task Plain_http_api_addresses_are_refused_except_on_this_machine()
    {
        await using var emulator = await Emulator(_ => { });
        using var host = new PowerShellHost(emulator);
        var run = host.Run("Connect-Dreamina -BaseUri http://model-api.example.net");
        Assert.Equal(ErrorIds.InsecureBaseUri, run.Errors.Single().FullyQualifiedErrorId.Split(',')[0]);
        Assert.Contains("unencrypted", run.Errors.Single().Exception.Message);
        Assert.Equal(emulator.BaseUri, host.Run("(Connect-Dreamina).BaseUri").ThrowOnError().Objects<Uri>().Single());
    }

    [Theory]
    [InlineData("completed")]
    [InlineData("failed")]
    public async Task A_failed_job_is_an_error_carrying_the_job_and_the_services_message(string failedStatusWord)
    {
        await using var emulator = await Emulator(o => o.FailedStatusWord = failedStatusWord);
        using var host = new PowerShellHost(emulator);
        var run = host.Run("'works', 'breaks #fail' | ForEach-Object { Start-DreaminaVideo $_ $img } | Wait-DreaminaJob -PollInterval 0.05", Image(emulator));

        Assert.Equal("works", run.Objects<DreaminaJob>().Single().Prompt);
        var error = Assert.Single(run.Errors);
        Assert.StartsWith(ErrorIds.JobFailed + ",", error.FullyQualifiedErrorId);
        Assert.Equal(System.Management.Automation.ErrorCategory.InvalidResult, error.CategoryInfo.Category);
        var job = Assert.IsType<DreaminaJob>(error.TargetObject);
        Assert.Equal((JobStatus.Failed, "breaks #fail"), (job.Status, job.Prompt));
        Assert.Contains("could not generate", error.Exception.Message);
    }

    [Fact]
    public async Task A_bad_token_stops_the_pipeline_before_anything_is_submitted_with_a_message_that_says_how_to_set_one()
    {
        await using var emulator = await Emulator(_ => { });
        using var host = new PowerShellHost(emulator, token: "not-the-token");
        var run = host.Run("1..3 | ForEach-Object { [pscustomobject]@{ Prompt = \"p$_\"; ImageUri = $img } } | Start-DreaminaVideo", Image(emulator));
        var error = Assert.Single(run.Errors);
        Assert.StartsWith(ErrorIds.AuthenticationFailed + ",", error.FullyQualifiedErrorId);
        Assert.Contains("Connect-Dreamina -Token", error.Exception.Message);
        Assert.Contains("400004", error.Exception.Message);
        // Rejected when the price was read, so no submission was even tried.
        Assert.Equal(0, emulator.Stats.Requests(EmulatorEndpoint.Submit));
        Assert.DoesNotContain("not-the-token", run.AllText());
    }
}
