using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using Dreamina.Emulator;
using Dreamina.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Xunit;
using Xunit.Abstractions;

namespace Dreamina.Tests.Resilience;

/// <summary>Ctrl+C, crashed sessions and tokens: nothing submitted is lost and nothing secret leaks.</summary>
public sealed class RecoveryTests(ITestOutputHelper output)
{
    private static Dictionary<string, object?> Image(RunComfyEmulator emulator) => new() { ["img"] = emulator.SampleImage("street.png").AbsoluteUri };

    [Fact]
    public async Task A_stopped_waiting_pipeline_loses_no_job_and_a_new_session_finishes_it_from_the_journal()
    {
        var options = EmulatorFixture.FastOptions();
        options.TimeScale = 1;
        options.QueueDelay = TimeSpan.Zero;
        options.RunDuration = TimeSpan.FromSeconds(3);
        await using var emulator = await RunComfyEmulator.StartAsync(options);
        // The first session is stopped mid-wait, as by Ctrl+C or a crash; only its journal carries over.
        using var first = new PowerShellHost(emulator);
        using (var shell = first.Create("'one', 'two' | ForEach-Object { Start-DreaminaVideo $_ $img } | Wait-DreaminaJob -PollInterval 0.1 | Save-DreaminaVideo -Directory ./clips", Image(emulator)))
        {
            var pipeline = shell.BeginInvoke();
            // Both submissions sent and the first job polled: whatever answer is still on its way must reach the journal.
            while (emulator.Stats.Requests(EmulatorEndpoint.Submit) < 2 || emulator.Stats.Requests(EmulatorEndpoint.Status) == 0) await Task.Delay(10);
            var clock = Stopwatch.StartNew();
            shell.Stop();
            output.WriteLine($"Stop() returned after {clock.ElapsedMilliseconds} ms");
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"stopping took {clock.Elapsed}");
            Assert.Throws<PipelineStoppedException>(() => shell.EndInvoke(pipeline));
        }

        using var second = new PowerShellHost(emulator);
        second.Run($"Connect-Dreamina -JournalPath '{first.JournalPath}' > $null").ThrowOnError();
        var recovered = second.Run("Get-DreaminaJob -Status Queued, Running").ThrowOnError().Objects<DreaminaJob>().ToList();
        Assert.Equal(new[] { "one", "two" }, recovered.Select(j => j.Prompt));

        var files = second.Run("Get-DreaminaJob -Status Queued, Running | Wait-DreaminaJob -PollInterval 0.1 | Save-DreaminaVideo -Directory ./clips").ThrowOnError().Objects<FileInfo>().ToList();
        Assert.Equal(2, files.Count);
        Assert.All(files, f => Assert.Equal(emulator.ExpectedVideoBytes(), File.ReadAllBytes(f.FullName)));
        Assert.Equal(2, emulator.Stats.Requests(EmulatorEndpoint.Submit));
        Assert.Equal(new[] { JobStatus.Completed, JobStatus.Completed }, second.Run("Get-DreaminaJob").Objects<DreaminaJob>().Select(j => j.Status));
    }

    [Fact]
    public async Task Two_PowerShell_processes_submitting_into_one_journal_lose_no_job()
    {
        var options = EmulatorFixture.FastOptions();
        options.RunDuration = TimeSpan.FromMinutes(10);
        await using var emulator = await RunComfyEmulator.StartAsync(options);
        using var host = new PowerShellHost(emulator);
        string Batch(string name) =>
            $"Connect-Dreamina -BaseUri '{emulator.BaseUri}' -AccountUri '{emulator.AccountUri}' -Token ([System.Net.NetworkCredential]::new('', '{emulator.Token}').SecurePassword) -JournalPath '{host.JournalPath}' > $null; " +
            $"1..100 | ForEach-Object {{ Start-DreaminaVideo \"{name} $_\" '{emulator.SampleImage("street.png").AbsoluteUri}' -SkipImageCheck }} | ForEach-Object RequestId";

        var runs = await Task.WhenAll(ScriptProcess.RunAsync(Batch("first")), ScriptProcess.RunAsync(Batch("second")));

        Assert.All(runs, run => Assert.True(run.ExitCode == 0, run.Errors));
        var submitted = runs.SelectMany(run => run.Output).ToHashSet();
        Assert.Equal(200, submitted.Count);
        var journaled = host.Run("Get-DreaminaJob").ThrowOnError();
        Assert.Empty(journaled.Warnings);
        Assert.Equal(submitted, journaled.Objects<DreaminaJob>().Select(j => j.RequestId!).ToHashSet());
    }

    [Fact]
    public async Task A_job_accepted_after_Ctrl_C_still_reaches_the_journal()
    {
        var received = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var answer = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var submissions = 0;
        await using var service = await ScriptedServer.StartAsync();
        service.Handler = async http =>
        {
            if (!HttpMethods.IsPost(http.Request.Method))
            {
                await ScriptedServer.Answer(200, """{"base_price_usd":0.5,"price_unit":"request","balance_usd":10}""")(http);
                return;
            }
            Interlocked.Increment(ref submissions);
            received.TrySetResult();
            await answer.Task; // RunComfy answers only after the user has given up waiting
            await ScriptedServer.Answer(200, """{"request_id":"accepted-late","status":"in_queue"}""")(http);
        };
        using var host = new PowerShellHost(null);
        host.Run($"Connect-Dreamina -BaseUri '{service.BaseUri}' -AccountUri '{service.BaseUri}' -Token ([System.Net.NetworkCredential]::new('', 'late-token').SecurePassword) -JournalPath '{host.JournalPath}' > $null").ThrowOnError();
        using (var shell = host.Create("Start-DreaminaVideo 'answered late' https://images.example/a.png -SkipImageCheck"))
        {
            var pipeline = shell.BeginInvoke();
            await received.Task;
            var clock = Stopwatch.StartNew();
            shell.Stop();
            output.WriteLine($"Stop() with a submission in flight returned after {clock.ElapsedMilliseconds} ms");
            Assert.Throws<PipelineStoppedException>(() => shell.EndInvoke(pipeline));
        }
        // Written before it was sent, so it is traced even while nobody knows whether RunComfy took it.
        var sent = Assert.Single(host.Run("Get-DreaminaJob").Objects<DreaminaJob>());
        Assert.Equal((JobStatus.Submitting, (string?)null), (sent.Status, sent.RequestId));

        answer.SetResult();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        List<DreaminaJob> journaled;
        while ((journaled = host.Run("Get-DreaminaJob").Objects<DreaminaJob>().ToList()).All(j => j.RequestId is null) && DateTime.UtcNow < deadline) await Task.Delay(20);
        var job = Assert.Single(journaled);
        Assert.Equal(("accepted-late", "answered late"), (job.RequestId, job.Prompt));
        Assert.Equal(1, submissions);
    }

    [Fact]
    public async Task Stopping_a_download_leaves_no_partial_file()
    {
        var options = EmulatorFixture.FastOptions();
        options.VideoSizeBytes = 300_000_000;
        await using var emulator = await RunComfyEmulator.StartAsync(options);
        using var host = new PowerShellHost(emulator);
        var job = host.Run("Start-DreaminaVideo 'big' $img | Wait-DreaminaJob -PollInterval 0.05", Image(emulator)).ThrowOnError().Objects<DreaminaJob>().Single();

        using var shell = host.Create("$job | Save-DreaminaVideo -Directory ./clips", new Dictionary<string, object?> { ["job"] = job });
        var pipeline = shell.BeginInvoke();
        var clips = Path.Combine(host.WorkDirectory, "clips");
        while (!Directory.Exists(clips) || Directory.GetFiles(clips, "*.part").All(f => new FileInfo(f).Length < 1_000_000)) await Task.Delay(5);
        var clock = Stopwatch.StartNew();
        shell.Stop();
        output.WriteLine($"Stop() during a download returned after {clock.ElapsedMilliseconds} ms");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"stopping took {clock.Elapsed}");
        Assert.Empty(Directory.GetFiles(clips));
        Assert.Equal(JobStatus.Completed, host.Run("Get-DreaminaJob").Objects<DreaminaJob>().Single().Status);
    }

    [Fact]
    public async Task The_token_appears_in_no_stream_error_journal_or_file_and_never_reaches_storage()
    {
        var options = EmulatorFixture.FastOptions();
        options.Tokens = new[] { "tok-3b9f6c1d-very-secret" };
        options.Faults = new FaultOptions { Rate = 0.3, Kinds = new[] { FaultKind.TooManyRequestsSeconds, FaultKind.TruncatedDownload }, RetryAfter = TimeSpan.Zero };
        await using var emulator = await RunComfyEmulator.StartAsync(options);
        using var host = new PowerShellHost(emulator);
        host.UseFastRetries();
        var run = host.Run("""
            $VerbosePreference = 'Continue'; $DebugPreference = 'Continue'
            'a', 'b #fail', 'c' | ForEach-Object { Start-DreaminaVideo $_ $img } | Wait-DreaminaJob -PollInterval 0.05 | Save-DreaminaVideo -Directory ./clips
            Get-DreaminaJob
            Get-DreaminaJob | Get-DreaminaStatus
            Connect-Dreamina
            Get-DreaminaStatus -RequestId does-not-exist
            """, Image(emulator));

        Assert.NotEmpty(run.Verbose);
        Assert.NotEmpty(run.Debug);
        Assert.NotEmpty(run.Errors);
        Assert.DoesNotContain(emulator.Token, run.AllText());
        foreach (var file in Directory.GetFiles(host.WorkDirectory, "*", SearchOption.AllDirectories))
        {
            Assert.DoesNotContain(emulator.Token, System.Text.Encoding.UTF8.GetString(File.ReadAllBytes(file)));
        }
        Assert.True(File.Exists(host.JournalPath));
        Assert.Equal(0, emulator.Stats.StorageAuthorizationHeaders);
        Assert.True(emulator.Stats.Requests(EmulatorEndpoint.Download) >= 2);
    }
}
