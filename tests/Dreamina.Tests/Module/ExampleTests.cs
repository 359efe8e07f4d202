using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using Dreamina.Emulator;
using Dreamina.Tests.Infrastructure;
using Xunit;

namespace Dreamina.Tests.Module;

/// <summary>
/// The scripts in examples/ and every example in the help, run against a fresh emulator. Example URLs on
/// example.com and the emulator's default ports are pointed at this emulator's sample images and ports.
/// </summary>
public sealed class ExampleTests : IAsyncLifetime
{
    private static readonly string Examples = Path.Combine(ModuleUnderTest.RepoRoot, "examples");
    private RunComfyEmulator _emulator = null!;
    private PowerShellHost _host = null!;

    public async Task InitializeAsync()
    {
        _emulator = await RunComfyEmulator.StartAsync(EmulatorFixture.FastOptions());
        _host = NewHost(_emulator);
    }

    public async Task DisposeAsync()
    {
        _host.Dispose();
        await _emulator.DisposeAsync();
    }

    private static PowerShellHost NewHost(RunComfyEmulator emulator, string? journal = null)
    {
        var host = new PowerShellHost(emulator);
        var standIns = Path.Combine(ModuleUnderTest.RepoRoot, "tests", "Dreamina.Tests", "Infrastructure", "CoreStandIns.ps1");
        host.Run($". '{standIns}'; $global:StandInToken = '{emulator.Token}'").ThrowOnError();
        if (journal is not null) host.Run($"Connect-Dreamina -JournalPath '{journal}' > $null").ThrowOnError();
        return host;
    }

    private string Sample(string name) => _emulator.SampleImage(name).AbsoluteUri;

    private ScriptRun Example(string script, string arguments, PowerShellHost? host = null)
        => (host ?? _host).Run($"& '{Path.Combine(Examples, script)}' {arguments}");

    private void WriteCsv(params string[] rows)
        => File.WriteAllLines(Path.Combine(_host.WorkDirectory, "shots.csv"), new[] { "Prompt,ImageUri,Duration" }.Concat(rows));

    [Fact]
    public void One_image()
    {
        var run = Example("New-DreaminaClip.ps1", $"-Prompt 'slow dolly-in' -ImageUri '{Sample("street.jpg")}' -Duration 10").ThrowOnError();
        var file = Assert.Single(run.Objects<FileInfo>());
        Assert.Equal(_emulator.ExpectedVideoBytes(), File.ReadAllBytes(file.FullName));
    }

    [Fact]
    public void A_CSV_batch_with_one_bad_row()
    {
        WriteCsv($"\"waves roll in, camera still\",{Sample("street.jpg")},5", $"too wide,{Sample("too-wide.png")},5", $"she turns,{Sample("portrait.png")},10");
        var run = Example("Invoke-DreaminaCsvBatch.ps1", "-CsvPath ./shots.csv -Directory ./clips");
        Assert.Equal(2, run.Objects<FileInfo>().Count());
        Assert.Equal(ErrorIds.ImageRatioInvalid, run.Errors.Single().FullyQualifiedErrorId.Split(',')[0]);
        Assert.Contains("waves roll in, camera still", _host.Run("(Get-DreaminaJob).Prompt").Output.Select(o => o.ToString()));
    }

    [Fact]
    public void Resume_after_a_crash_from_the_journal()
    {
        _host.Run($"'left running 1', 'left running 2' | ForEach-Object {{ Start-DreaminaVideo $_ '{Sample("street.jpg")}' }} > $null; Start-DreaminaVideo 'done, never saved' '{Sample("street.jpg")}' | Wait-DreaminaJob -PollInterval 0.05 > $null").ThrowOnError();
        using var next = NewHost(_emulator, _host.JournalPath);
        var run = Example("Resume-DreaminaJobs.ps1", "-Directory ./clips", next).ThrowOnError();
        Assert.Equal(3, run.Objects<FileInfo>().Count());
        Assert.All(next.Run("Get-DreaminaJob").Objects<DreaminaJob>(), j => Assert.NotNull(j.SavedTo));
    }

    [Fact]
    public async Task Cancel_what_is_still_queued()
    {
        var options = EmulatorFixture.FastOptions();
        options.Concurrency = 1;
        options.QueueDelay = TimeSpan.Zero;
        options.TimeScale = 1;
        options.RunDuration = TimeSpan.FromMinutes(10);
        await using var slow = await RunComfyEmulator.StartAsync(options);
        using var host = NewHost(slow);
        host.Run($"1..3 | ForEach-Object {{ Start-DreaminaVideo \"shot $_\" '{slow.SampleImage("street.jpg")}' }} > $null").ThrowOnError();

        Example("Stop-QueuedDreaminaJobs.ps1", "-WhatIf", host).ThrowOnError();
        Assert.Equal(0, slow.Stats.Requests(EmulatorEndpoint.Cancel));

        var run = Example("Stop-QueuedDreaminaJobs.ps1", "", host).ThrowOnError();
        Assert.Equal(new[] { "shot 2", "shot 3" }, run.Objects<DreaminaJob>().Select(j => j.Prompt));
        Assert.All(run.Objects<DreaminaJob>(), j => Assert.Equal(JobStatus.Cancelled, j.Status));
    }

    [Fact]
    public void A_nightly_unattended_run_with_a_log()
    {
        WriteCsv($"first,{Sample("street.jpg")},5", $"bad image,{Sample("too-small.png")},5", $"second,{Sample("square.png")},5");
        var run = Example("Invoke-NightlyDreaminaRun.ps1", "-CsvPath ./shots.csv -Directory ./clips -LogPath ./nightly.log -TimeoutMinutes 5; $LASTEXITCODE");
        Assert.Empty(run.Errors);
        Assert.Equal(1, (int)run.Output.Last().BaseObject);
        var log = File.ReadAllText(Path.Combine(_host.WorkDirectory, "nightly.log"));
        Assert.Equal(2, Regex.Matches(log, " Saved ").Count);
        Assert.Contains("ERROR DreaminaImageTooSmall", log);
        Assert.Contains("Done: 2 saved, 1 problem(s).", log);
        Assert.Equal(2, Directory.GetFiles(Path.Combine(_host.WorkDirectory, "clips")).Length);
    }

    public static TheoryData<string, string> HelpExamples()
    {
        var data = new TheoryData<string, string>();
        foreach (var page in Directory.GetFiles(Path.Combine(ModuleUnderTest.RepoRoot, "docs", "help"), "*.md").OrderBy(p => p))
        {
            var text = File.ReadAllText(page);
            foreach (Match example in Regex.Matches(text, @"^### (Example [^\n]*)\n```powershell\n(.*?)\n```", RegexOptions.Multiline | RegexOptions.Singleline))
            {
                data.Add(Path.GetFileNameWithoutExtension(page) + ": " + example.Groups[1].Value, example.Groups[2].Value);
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(HelpExamples))]
    public void Every_help_example_runs_without_an_error(string example, string code)
    {
        _ = example;
        // What the examples expect to find: a finished job, one still running, and a folder of images.
        var shots = Directory.CreateDirectory(Path.Combine(_host.WorkDirectory, "shots")).FullName;
        File.WriteAllBytes(Path.Combine(shots, "good.png"), SampleImages.Png(800, 600));
        File.WriteAllBytes(Path.Combine(shots, "wide.png"), SampleImages.Png(1500, 400));
        _host.Run($"Start-DreaminaVideo 'finished' '{Sample("street.jpg")}' | Wait-DreaminaJob -PollInterval 0.05 > $null; $running = Start-DreaminaVideo 'running #run=600' '{Sample("street.jpg")}'; while (($running | Get-DreaminaStatus).Status -ne 'Running') {{ }}").ThrowOnError();

        var pointed = code
            .Replace("https://example.com/", _emulator.StorageUri.AbsoluteUri + "samples/")
            .Replace("http://127.0.0.1:5080", _emulator.BaseUri.AbsoluteUri.TrimEnd('/'))
            .Replace("http://127.0.0.1:5081", _emulator.StorageUri.AbsoluteUri.TrimEnd('/'));
        _host.Run(pointed).ThrowOnError();
    }
}
