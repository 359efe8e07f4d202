using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using Dreamina.Emulator;
using Dreamina.Tests.Infrastructure;
using Xunit;

namespace Dreamina.Tests.Pipeline;

/// <summary>What a user types, run by the real PowerShell engine against the emulator.</summary>
public sealed class PipelineTests(EmulatorFixture fixture) : IClassFixture<EmulatorFixture>
{
    private RunComfyEmulator Emulator => fixture.Emulator;
    private string Street => Emulator.SampleImage("street.png").AbsoluteUri;

    [Fact]
    public void One_image_becomes_a_saved_video_identical_to_what_the_service_serves()
    {
        using var host = new PowerShellHost(Emulator);
        var run = host.Run($"Start-DreaminaVideo -Prompt 'slow dolly-in, golden hour' -ImageUri '{Street}' | Wait-DreaminaJob -PollInterval 0.05 | Save-DreaminaVideo -Directory ./clips").ThrowOnError();

        var file = Assert.Single(run.Objects<FileInfo>());
        Assert.Equal(Path.Combine(host.WorkDirectory, "clips"), file.DirectoryName);
        Assert.EndsWith(".mp4", file.Name);
        Assert.Equal(Emulator.ExpectedVideoBytes(), File.ReadAllBytes(file.FullName));
        Assert.Empty(Directory.GetFiles(file.DirectoryName!, "*.part", SearchOption.AllDirectories));
        Assert.Equal(0, Emulator.Stats.StorageAuthorizationHeaders);
    }

    [Fact]
    public void A_batch_of_twenty_objects_with_Prompt_and_ImageUri_flows_through_start_wait_and_save()
    {
        using var host = new PowerShellHost(Emulator);
        var submitsBefore = Emulator.Stats.Requests(EmulatorEndpoint.Submit);
        var run = host.Run("""
            1..20 | ForEach-Object { [pscustomobject]@{ Prompt = "shot $_"; ImageUri = $img; Duration = 10 } } |
                Start-DreaminaVideo | Wait-DreaminaJob -PollInterval 0.05 | Save-DreaminaVideo -Directory ./clips
            """, new Dictionary<string, object?> { ["img"] = Street }).ThrowOnError();

        var files = run.Objects<FileInfo>().ToList();
        Assert.Equal(20, files.Count);
        Assert.Equal(20, files.Select(f => f.Name).Distinct().Count());
        Assert.All(files, f => Assert.Equal(Emulator.ExpectedVideoBytes(), File.ReadAllBytes(f.FullName)));
        Assert.Equal(20, Emulator.Stats.Requests(EmulatorEndpoint.Submit) - submitsBefore);
        Assert.Contains(run.Progress, p => p.Activity == "Waiting for Dreamina jobs" && p.StatusDescription.Contains("/20 done"));
    }

    [Fact]
    public void WhatIf_validates_and_describes_the_request_but_sends_nothing()
    {
        using var host = new PowerShellHost(Emulator);
        var before = Emulator.Stats.Requests(EmulatorEndpoint.Submit);
        var run = host.Run($"Start-DreaminaVideo -Prompt 'pan left' -ImageUri '{Street}' -Frames 241 -WhatIf").ThrowOnError();
        Assert.Empty(run.Output);
        Assert.Equal(before, Emulator.Stats.Requests(EmulatorEndpoint.Submit));
    }

    [Fact]
    public void A_job_is_emitted_with_its_inputs_and_can_be_read_back_by_id_from_any_binding()
    {
        using var host = new PowerShellHost(Emulator);
        var job = host.Run($"Start-DreaminaVideo 'pan left' '{Street}' -Seed 42 -Duration 10").ThrowOnError().Objects<DreaminaJob>().Single();
        Assert.Equal(JobStatus.Queued, job.Status);
        Assert.Equal((42L, 241, "pan left"), (job.Seed!.Value, job.Frames!.Value, job.Prompt!));
        var variables = new Dictionary<string, object?> { ["job"] = job, ["id"] = job.RequestId };

        foreach (var script in new[]
        {
            "$job | Get-DreaminaStatus",                                   // a job object, by value
            "$id | Get-DreaminaStatus",                                    // a string, by value
            "[pscustomobject]@{ RequestId = $id } | Get-DreaminaStatus",   // any object, by property name
            "Get-DreaminaStatus -RequestId $id",
            "Get-DreaminaJob -RequestId $id | Get-DreaminaStatus",         // from the journal
        })
        {
            var refreshed = Assert.Single(host.Run(script, variables).ThrowOnError().Objects<DreaminaJob>());
            Assert.Equal(job.RequestId, refreshed.RequestId);
            Assert.NotEqual(JobStatus.Unknown, refreshed.Status);
            Assert.NotNull(refreshed.CheckedAt);
        }
    }

    [Fact]
    public void Missing_mandatory_parameters_are_named_by_the_binder()
    {
        using var host = new PowerShellHost(Emulator);
        var run = host.Run("Start-DreaminaVideo -Prompt 'only a prompt'");
        var error = Assert.Single(run.Errors);
        Assert.Contains("ImageUri", error.ToString());
        var metadata = host.Run("(Get-Command Start-DreaminaVideo).Parameters['Prompt'].Attributes | Where-Object { $_ -is [System.Management.Automation.ParameterAttribute] }").Output;
        Assert.False(string.IsNullOrEmpty(((ParameterAttribute)Assert.Single(metadata).BaseObject).HelpMessage));
    }

    [Fact]
    public void A_job_from_an_earlier_session_gets_a_fresh_link_before_its_video_is_saved()
    {
        using var host = new PowerShellHost(Emulator);
        var job = host.Run($"Start-DreaminaVideo -Prompt 'p' -ImageUri '{Street}' | Wait-DreaminaJob -PollInterval 0.05").ThrowOnError().Objects<DreaminaJob>().Single();
        // Two hours on, the link it was given no longer works.
        job.CheckedAt = DateTimeOffset.UtcNow.AddHours(-2);
        job.VideoUris = new[] { new Uri(Emulator.StorageUri, "videos/expired-link.mp4") };
        var results = Emulator.Stats.Requests(job.RequestId!, EmulatorEndpoint.Result);

        var file = host.Run("$job | Save-DreaminaVideo", new Dictionary<string, object?> { ["job"] = job }).ThrowOnError().Objects<FileInfo>().Single();

        Assert.Equal(Emulator.ExpectedVideoBytes(), File.ReadAllBytes(file.FullName));
        Assert.Equal(results + 1, Emulator.Stats.Requests(job.RequestId!, EmulatorEndpoint.Result));
    }

    [Fact]
    public void Save_refuses_to_overwrite_without_Force()
    {
        using var host = new PowerShellHost(Emulator);
        host.Run($"$script:done = Start-DreaminaVideo -Prompt 'p' -ImageUri '{Street}' | Wait-DreaminaJob -PollInterval 0.05; $done | Save-DreaminaVideo -Path ./one.mp4").ThrowOnError();
        File.WriteAllText(Path.Combine(host.WorkDirectory, "one.mp4"), "mine");

        var refused = host.Run("$done | Save-DreaminaVideo -Path ./one.mp4");
        Assert.Equal(ErrorIds.FileExists, refused.Errors.Single().FullyQualifiedErrorId.Split(',')[0]);
        Assert.Equal("mine", File.ReadAllText(Path.Combine(host.WorkDirectory, "one.mp4")));

        host.Run("$done | Save-DreaminaVideo -Path ./one.mp4 -Force").ThrowOnError();
        Assert.Equal(Emulator.ExpectedVideoBytes(), File.ReadAllBytes(Path.Combine(host.WorkDirectory, "one.mp4")));
    }
}
