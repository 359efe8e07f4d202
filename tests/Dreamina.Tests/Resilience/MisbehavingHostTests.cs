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

/// <summary>
/// Hosts that misbehave the way real ones do: they stall, answer 200 with the wrong thing, cut bodies short,
/// redirect to other schemes, echo secrets, and lose the answer to a paid submission.
/// </summary>
public sealed class MisbehavingHostTests(ITestOutputHelper output)
{
    private static async Task<RunComfyEmulator> Emulator(FaultKind kind, EmulatorEndpoint endpoint, int streak = 100, Action<EmulatorOptions>? configure = null)
    {
        var options = EmulatorFixture.FastOptions();
        options.Faults = new FaultOptions { Rate = 1, Kinds = new[] { kind }, Endpoints = new[] { endpoint }, MaxConsecutive = streak };
        configure?.Invoke(options);
        return await RunComfyEmulator.StartAsync(options);
    }

    private static PowerShellHost Host(RunComfyEmulator emulator, int timeoutSec = 1, int retries = 2)
    {
        var host = new PowerShellHost(emulator);
        host.UseFastRetries(retries);
        host.Run($"Connect-Dreamina -TimeoutSec {timeoutSec} > $null").ThrowOnError();
        return host;
    }

    private static string Id(ErrorRecord error) => error.FullyQualifiedErrorId.Split(',')[0];

    private static Dictionary<string, object?> Image(RunComfyEmulator emulator, string name = "street.png") => new() { ["img"] = emulator.SampleImage(name).AbsoluteUri };

    [Theory]
    [InlineData(FaultKind.Stall, "sent no answer")]
    [InlineData(FaultKind.StallMidBody, "stopped sending")]
    public async Task An_image_host_that_stalls_is_an_error_within_the_timeout_and_nothing_is_submitted(FaultKind stall, string says)
    {
        await using var emulator = await Emulator(stall, EmulatorEndpoint.Sample);
        using var host = Host(emulator);
        var clock = Stopwatch.StartNew();
        var run = host.Run("Start-DreaminaVideo 'p' $img", Image(emulator));
        output.WriteLine($"{stall}: error after {clock.ElapsedMilliseconds} ms");
        var error = Assert.Single(run.Errors);
        Assert.Equal(ErrorIds.ImageUnreachable, Id(error));
        Assert.Contains(says, error.Exception.Message);
        Assert.InRange(clock.Elapsed.TotalSeconds, 0.9, 10);
        Assert.Equal(0, emulator.Stats.Requests(EmulatorEndpoint.Submit));
    }

    [Fact]
    public async Task A_video_host_that_stalls_mid_body_is_resumed_after_the_stall_and_the_file_is_whole()
    {
        await using var emulator = await Emulator(FaultKind.StallMidBody, EmulatorEndpoint.Download, streak: 1, o => o.VideoSizeBytes = 2_000_000);
        using var host = Host(emulator);
        var run = host.Run("Start-DreaminaVideo 'p' $img | Wait-DreaminaJob -PollInterval 0.05 | Save-DreaminaVideo -Directory ./clips -Verbose", Image(emulator)).ThrowOnError();
        var file = Assert.Single(run.Objects<FileInfo>());
        Assert.Equal(emulator.ExpectedVideoBytes(), File.ReadAllBytes(file.FullName));
        Assert.Contains(run.Verbose, v => v.Message.Contains("stopped sending") && v.Message.Contains("Resuming at byte"));
    }

    [Fact]
    public async Task A_video_host_that_always_stalls_ends_in_an_error_in_bounded_time_keeping_what_arrived()
    {
        await using var emulator = await Emulator(FaultKind.StallMidBody, EmulatorEndpoint.Download, configure: o => o.VideoSizeBytes = 2_000_000);
        using var host = Host(emulator, retries: 1);
        var clock = Stopwatch.StartNew();
        var run = host.Run("Start-DreaminaVideo 'p' $img | Wait-DreaminaJob -PollInterval 0.05 | Save-DreaminaVideo -Directory ./clips", Image(emulator));
        output.WriteLine($"gave up after {clock.ElapsedMilliseconds} ms");
        Assert.Equal(ErrorIds.DownloadIncomplete, Id(Assert.Single(run.Errors)));
        Assert.InRange(clock.Elapsed.TotalSeconds, 1.9, 15);
        var clips = Path.Combine(host.WorkDirectory, "clips");
        Assert.Empty(Directory.GetFiles(clips, "*.mp4"));
        Assert.Single(Directory.GetFiles(clips, ".*.part"));
    }

    [Theory]
    [InlineData(FaultKind.NoRequestId, "request_id")]
    [InlineData(FaultKind.UnreadableBody, "not a JSON object")]
    public async Task A_submission_answered_without_a_readable_request_id_stays_in_the_journal_as_unconfirmed(FaultKind kind, string says)
    {
        await using var emulator = await Emulator(kind, EmulatorEndpoint.Submit);
        using var host = Host(emulator);
        var run = host.Run("Start-DreaminaVideo 'paid but unanswered' $img", Image(emulator));

        var error = Assert.Single(run.Errors);
        Assert.Equal(ErrorIds.SubmitOutcomeUnknown, Id(error));
        Assert.Contains(says, error.Exception.Message);
        Assert.Contains("Get-DreaminaJob -Status Unconfirmed", error.Exception.Message);
        Assert.Equal(1, emulator.Stats.Requests(EmulatorEndpoint.Submit));
        Assert.Equal(1, emulator.JobCounts().Values.Sum()); // it exists, and will be billed
        var journaled = Assert.Single(host.Run("Get-DreaminaJob -Status Unconfirmed").ThrowOnError().Objects<DreaminaJob>());
        Assert.Equal(("paid but unanswered", (string?)null), (journaled.Prompt, journaled.RequestId));

        // Settled by the user: forgotten, and nothing else follows it.
        host.Run("Get-DreaminaJob -Status Unconfirmed | Remove-DreaminaJob -Confirm:$false").ThrowOnError();
        Assert.Empty(host.Run("Get-DreaminaJob").Objects<DreaminaJob>());
    }

    [Fact]
    public async Task A_process_killed_while_its_submission_is_unanswered_leaves_the_submission_in_the_journal()
    {
        var received = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var service = await ScriptedServer.StartAsync();
        service.Handler = async http =>
        {
            if (!HttpMethods.IsPost(http.Request.Method))
            {
                await ScriptedServer.Answer(200, """{"base_price_usd":0.5,"price_unit":"request","balance_usd":10}""")(http);
                return;
            }
            received.TrySetResult();
            await Task.Delay(Timeout.Infinite, http.RequestAborted);
        };
        using var host = new PowerShellHost(null);
        var script = $"Connect-Dreamina -BaseUri '{service.BaseUri}' -AccountUri '{service.BaseUri}' -Token ([System.Net.NetworkCredential]::new('', 'kill-token').SecurePassword) -JournalPath '{host.JournalPath}' > $null; " +
                     "Start-DreaminaVideo 'sent, then killed' https://images.example/a.png -SkipImageCheck";
        using var process = ScriptProcess.Start(script);
        await received.Task.WaitAsync(TimeSpan.FromSeconds(30));
        process.Kill(); // kill -9: no chance to write anything more
        await process.WaitForExitAsync();

        var job = Assert.Single(host.Run($"Connect-Dreamina -JournalPath '{host.JournalPath}' > $null; Get-DreaminaJob").ThrowOnError().Objects<DreaminaJob>());
        Assert.Equal(("sent, then killed", JobStatus.Submitting, (string?)null), (job.Prompt, job.Status, job.RequestId));
        Assert.NotNull(job.ClientId);
    }

    [Fact]
    public async Task A_token_echoed_in_status_and_result_answers_appears_in_no_stream_object_or_file()
    {
        const string Token = "echo-5f0c2a8e-secret";
        await using var emulator = await Emulator(FaultKind.EchoToken, EmulatorEndpoint.Result, configure: o => o.Tokens = new[] { Token });
        emulator.Options.Faults.Endpoints = new[] { EmulatorEndpoint.Status, EmulatorEndpoint.Result };
        using var host = Host(emulator);
        var run = host.Run("""
            $VerbosePreference = 'Continue'; $DebugPreference = 'Continue'
            'fine', 'breaks #fail' | ForEach-Object { Start-DreaminaVideo $_ $img } | Wait-DreaminaJob -PollInterval 0.05 | Save-DreaminaVideo -Directory ./clips
            Get-DreaminaJob | Get-DreaminaStatus
            Get-DreaminaJob | Format-List * | Out-String
            """, Image(emulator));

        Assert.Contains(run.Errors, e => Id(e) == ErrorIds.JobFailed);
        Assert.Contains(run.Objects<DreaminaJob>(), j => j.Error?.Contains("Authorization: ***") == true);
        Assert.DoesNotContain(Token, run.AllText());
        Assert.All(run.Objects<DreaminaJob>(), j => Assert.DoesNotContain(Token, j.Error ?? ""));
        foreach (var file in Directory.GetFiles(host.WorkDirectory, "*", SearchOption.AllDirectories))
            Assert.DoesNotContain(Token, System.Text.Encoding.UTF8.GetString(File.ReadAllBytes(file)));
    }

    [Fact]
    public async Task A_password_in_an_image_url_is_kept_out_of_reports_and_error_targets()
    {
        await using var emulator = await RunComfyEmulator.StartAsync(EmulatorFixture.FastOptions());
        using var host = Host(emulator);
        var secretUrl = new UriBuilder(emulator.SampleImage("street.png")) { UserName = "me", Password = "hunter2" }.Uri.AbsoluteUri;
        var run = host.Run("Test-DreaminaImage $url; Start-DreaminaVideo 'p' $url", new Dictionary<string, object?> { ["url"] = secretUrl });

        var report = Assert.Single(run.Objects<DreaminaImageReport>());
        Assert.False(report.IsValid);
        Assert.Contains("***@", report.Source);
        var error = Assert.Single(run.Errors);
        Assert.Equal(ErrorIds.ImageUriInvalid, Id(error));
        Assert.DoesNotContain("hunter2", run.AllText());
    }

    [Theory]
    [InlineData(FaultKind.HtmlIn200, "starts with '<!DOCTYPE html>")]
    [InlineData(FaultKind.ShortChunked, "download is incomplete")]
    public async Task Only_a_whole_MP4_lands_on_disk(FaultKind kind, string says)
    {
        await using var emulator = await Emulator(kind, EmulatorEndpoint.Download, configure: o => o.VideoSizeBytes = 400_000);
        using var host = Host(emulator);
        var run = host.Run("Start-DreaminaVideo 'p' $img | Wait-DreaminaJob -PollInterval 0.05 | Save-DreaminaVideo -Directory ./clips", Image(emulator));
        var error = Assert.Single(run.Errors);
        Assert.Equal(ErrorIds.DownloadNotVideo, Id(error));
        Assert.Contains(says, error.Exception.Message);
        Assert.Empty(Directory.GetFiles(Path.Combine(host.WorkDirectory, "clips")));
    }

    [Fact]
    public async Task A_download_cut_short_in_one_session_resumes_in_the_next_from_where_it_stopped()
    {
        await using var emulator = await Emulator(FaultKind.StallMidBody, EmulatorEndpoint.Download, configure: o => o.VideoSizeBytes = 3_000_000);
        // A folder both sessions save into, as a scheduled task would on each run.
        var clips = Directory.CreateTempSubdirectory("dreamina-resume-").FullName;
        string id;
        using (var first = Host(emulator, retries: 0))
        {
            id = first.Run("Start-DreaminaVideo 'p' $img | Wait-DreaminaJob -PollInterval 0.05 | ForEach-Object RequestId", Image(emulator)).ThrowOnError().Output.Single().ToString();
            Assert.Equal(ErrorIds.DownloadIncomplete, Id(first.Run($"Get-DreaminaJob {id} | Save-DreaminaVideo -Directory '{clips}'").Errors.Single()));
        }
        emulator.Options.Faults = new FaultOptions();
        using var second = Host(emulator);
        try
        {
            var partial = new FileInfo(Directory.GetFiles(clips, ".*.part").Single()).Length;
            Assert.InRange(partial, 1, 2_999_999);
            var run = second.Run($"Get-DreaminaStatus -RequestId {id} | Save-DreaminaVideo -Directory '{clips}' -Verbose").ThrowOnError();
            Assert.Contains(run.Verbose, v => v.Message.Contains($"Resuming the download of job {id} at byte {partial:N0}"));
            Assert.Equal(emulator.ExpectedVideoBytes(), File.ReadAllBytes(Path.Combine(clips, id + ".mp4")));
            Assert.Equal(new[] { id + ".mp4" }, Directory.GetFiles(clips).Select(Path.GetFileName));
        }
        finally
        {
            Directory.Delete(clips, recursive: true);
        }
    }

    [Fact]
    public async Task A_video_moved_into_place_by_a_run_that_died_before_journaling_it_is_recognised_not_refused()
    {
        await using var emulator = await RunComfyEmulator.StartAsync(EmulatorFixture.FastOptions());
        using var host = Host(emulator);
        var job = host.Run("Start-DreaminaVideo 'p' $img | Wait-DreaminaJob -PollInterval 0.05", Image(emulator)).ThrowOnError().Objects<DreaminaJob>().Single();
        var target = Path.Combine(host.WorkDirectory, job.RequestId + ".mp4");
        File.WriteAllBytes(target, emulator.ExpectedVideoBytes());
        File.WriteAllText(Dreamina.Download.VideoDownloader.NotePath(target), $$"""{"request_id":"{{job.RequestId}}","etag":null,"length":{{emulator.ExpectedVideoBytes().Length}}}""");
        var downloads = emulator.Stats.Requests(EmulatorEndpoint.Download);

        var run = host.Run("Get-DreaminaJob | Save-DreaminaVideo").ThrowOnError();

        Assert.Equal(target, ((FileInfo)run.Output.Single().BaseObject).FullName);
        Assert.Equal(downloads, emulator.Stats.Requests(EmulatorEndpoint.Download));
        Assert.Equal(target, host.Run("(Get-DreaminaJob).SavedTo").Output.Single().ToString());
        Assert.False(File.Exists(Dreamina.Download.VideoDownloader.NotePath(target)));
    }

    [Fact]
    public async Task An_image_host_that_redirects_to_a_file_address_is_an_image_error_not_a_crash()
    {
        await using var emulator = await Emulator(FaultKind.RedirectToFile, EmulatorEndpoint.Sample);
        using var host = Host(emulator);
        var run = host.Run("Start-DreaminaVideo 'p' $img; Test-DreaminaImage $img", Image(emulator));
        var error = Assert.Single(run.Errors);
        Assert.Equal(ErrorIds.ImageUnreachable, Id(error));
        Assert.Contains("file: address", error.Exception.Message);
        Assert.False(Assert.Single(run.Objects<DreaminaImageReport>()).IsValid);
    }

    [Theory]
    [InlineData("tok\r\nen", "a line break")]
    [InlineData("tök-en", "a character outside ASCII")]
    [InlineData("tok en", "a space")]
    public async Task A_token_that_cannot_be_one_is_refused_by_Connect_Dreamina(string token, string says)
    {
        await using var emulator = await RunComfyEmulator.StartAsync(EmulatorFixture.FastOptions());
        using var host = new PowerShellHost(emulator, connect: false);
        var given = host.Run("Connect-Dreamina -Token ([System.Net.NetworkCredential]::new('', $t).SecurePassword)", new Dictionary<string, object?> { ["t"] = token });
        var error = Assert.Single(given.Errors);
        Assert.Equal(ErrorIds.TokenInvalid, Id(error));
        Assert.Contains(says, error.Exception.Message);
        Assert.DoesNotContain(token, given.AllText());
    }

    [Fact]
    public async Task A_token_pasted_with_spaces_and_a_newline_around_it_works()
    {
        await using var emulator = await RunComfyEmulator.StartAsync(EmulatorFixture.FastOptions());
        using var host = new PowerShellHost(emulator, token: $"  {EmulatorOptions.DefaultToken}\n");
        host.Run("Start-DreaminaVideo 'p' $img", Image(emulator)).ThrowOnError();
        Assert.Equal(1, emulator.Stats.Requests(EmulatorEndpoint.Submit));
    }

    [Fact]
    public async Task Save_with_a_Path_that_is_a_folder_fails_before_any_download()
    {
        await using var emulator = await RunComfyEmulator.StartAsync(EmulatorFixture.FastOptions());
        using var host = Host(emulator);
        host.Run("Start-DreaminaVideo 'p' $img | Wait-DreaminaJob -PollInterval 0.05 > $null; [System.IO.Directory]::CreateDirectory([System.IO.Path]::Combine($PWD.Path, 'videos')) > $null", Image(emulator)).ThrowOnError();
        var run = host.Run("Get-DreaminaJob | Save-DreaminaVideo -Path ./videos");
        Assert.Equal(ErrorIds.PathIsDirectory, Id(Assert.Single(run.Errors)));
        Assert.Contains("-Directory", run.Errors[0].Exception.Message);
        Assert.Equal(0, emulator.Stats.Requests(EmulatorEndpoint.Download));
    }

    [Fact]
    public async Task A_JPEG_whose_frame_header_comes_after_a_large_EXIF_block_is_read_and_a_length_the_host_keeps_to_itself_is_measured()
    {
        await using var emulator = await Emulator(FaultKind.UnknownLength, EmulatorEndpoint.Sample);
        using var host = Host(emulator);
        var reports = host.Run("Test-DreaminaImage $a, $b", new Dictionary<string, object?>
        {
            ["a"] = emulator.SampleImage("big-exif.jpg").AbsoluteUri,
            ["b"] = emulator.SampleImage("too-heavy.png").AbsoluteUri,
        }).ThrowOnError().Objects<DreaminaImageReport>().ToList();
        Assert.True(reports[0].IsValid, string.Join(" ", reports[0].Problems));
        Assert.Equal("1920x1080", reports[0].Dimensions);
        Assert.Equal(ErrorIds.ImageFileTooLarge, reports[1].Problems.Single().ErrorId);
    }

    [Fact]
    public async Task A_journal_that_cannot_be_written_stops_the_batch_before_anything_is_submitted()
    {
        await using var emulator = await RunComfyEmulator.StartAsync(EmulatorFixture.FastOptions());
        using var host = Host(emulator);
        File.WriteAllText(Path.Combine(host.WorkDirectory, "taken"), "a file where the journal's folder should be");
        var run = host.Run("Connect-Dreamina -JournalPath ./taken/jobs.jsonl > $null; 'a', 'b' | ForEach-Object { [pscustomobject]@{ Prompt = $_; ImageUri = $img } } | Start-DreaminaVideo", Image(emulator));
        var error = Assert.Single(run.Errors);
        Assert.Equal(ErrorIds.JournalUnavailable, Id(error));
        Assert.Equal(0, emulator.Stats.Requests(EmulatorEndpoint.Submit));
    }
}
