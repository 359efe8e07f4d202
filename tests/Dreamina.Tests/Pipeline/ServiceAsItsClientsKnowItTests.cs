using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text.Json;
using System.Threading.Tasks;
using Dreamina.Emulator;
using Dreamina.Tests.Infrastructure;
using Xunit;

namespace Dreamina.Tests.Pipeline;

/// <summary>
/// The service as RunComfy's own clients know it: local images inline with no setup, what a job actually cost,
/// the other status words, a result about another model, and the input rules from the model's live schema.
/// </summary>
public sealed class ServiceAsItsClientsKnowItTests
{
    private static async Task<(RunComfyEmulator Emulator, PowerShellHost Host, string Shots)> Start(Action<EmulatorOptions>? configure = null)
    {
        var options = EmulatorFixture.FastOptions();
        configure?.Invoke(options);
        var emulator = await RunComfyEmulator.StartAsync(options);
        var host = new PowerShellHost(emulator);
        var shots = Directory.CreateDirectory(Path.Combine(host.WorkDirectory, "shots")).FullName;
        File.WriteAllBytes(Path.Combine(shots, "street.png"), SampleImages.Png(1280, 720));
        File.WriteAllBytes(Path.Combine(shots, "harbour.png"), SampleImages.Png(1024, 768));
        return (emulator, host, shots);
    }

    private static Dictionary<string, object?> With(string shots) => new() { ["shots"] = shots };

    private static string Sha256(string path) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path))).ToLowerInvariant();

    [Fact]
    public async Task Two_local_PNGs_with_no_image_store_go_inline_and_are_saved_and_the_journal_keeps_no_bytes()
    {
        var (emulator, host, shots) = await Start();
        await using var _ = emulator;
        using var __ = host;

        var run = host.Run("[System.IO.DirectoryInfo]::new($shots).GetFiles('*.png') | Start-DreaminaVideo -Prompt 'slow dolly-in' | Wait-DreaminaJob -PollInterval 0.05 | Save-DreaminaVideo -Directory ./clips", With(shots)).ThrowOnError();

        Assert.Equal(2, run.Objects<FileInfo>().Count());
        var received = emulator.Jobs().Select(j => j.InlineImageSha256).OrderBy(h => h).ToList();
        Assert.Equal(new[] { Sha256(Path.Combine(shots, "harbour.png")), Sha256(Path.Combine(shots, "street.png")) }.OrderBy(h => h), received);
        var journal = File.ReadAllText(host.JournalPath);
        Assert.DoesNotContain("base64", journal);
        Assert.DoesNotContain("data:image", journal);
        var jobs = host.Run("Get-DreaminaJob").ThrowOnError().Objects<DreaminaJob>().ToList();
        Assert.Equal(2, jobs.Count);
        Assert.All(jobs, j => Assert.Null(j.ImageUri));
        Assert.Equal(new[] { "harbour.png", "street.png" }, jobs.Select(j => Path.GetFileName(j.ImagePath!)).OrderBy(n => n));
        Assert.All(jobs, j => Assert.Equal(Sha256(j.ImagePath!), j.ImageHash));
    }

    [Fact]
    public async Task A_service_that_refuses_inline_images_gets_one_error_naming_the_image_store_and_nothing_is_sent_again()
    {
        var (emulator, host, shots) = await Start(o => o.RefuseInlineImages = true);
        await using var _ = emulator;
        using var __ = host;

        var run = host.Run("[System.IO.DirectoryInfo]::new($shots).GetFiles('*.png') | Start-DreaminaVideo -Prompt 'p' -ThrottleLimit 1", With(shots));

        var error = Assert.Single(run.Errors);
        Assert.Equal(ErrorIds.ImageInlineRefused, error.FullyQualifiedErrorId.Split(',')[0]);
        Assert.Contains("-ImageStore", error.Exception.Message);
        Assert.Equal(1, emulator.Stats.Requests(EmulatorEndpoint.Submit));
        var job = Assert.Single(host.Run("Get-DreaminaJob").ThrowOnError().Objects<DreaminaJob>());
        Assert.Equal(JobStatus.Failed, job.Status);
        Assert.Null(job.RequestId);
        var spending = File.ReadAllLines(Path.ChangeExtension(host.JournalPath, null) + ".spending.jsonl");
        Assert.Contains(spending, line => line.Contains("\"refund\":true"));
    }

    [Fact]
    public async Task The_actual_cost_is_kept_beside_the_estimate_and_the_daily_limit_counts_it()
    {
        var (emulator, host, shots) = await Start(o => { o.PriceUsd = 0.25m; o.ReportedCost = 0.19m; });
        await using var _ = emulator;
        using var __ = host;
        var url = emulator.SampleImage("street.png").AbsoluteUri;
        var variables = new Dictionary<string, object?> { ["url"] = url };

        // Two jobs at 0.25 estimated, 0.19 charged: a limit of 0.70 leaves room for a third only by what was charged.
        var run = host.Run("Connect-Dreamina -DailySpendLimit 0.70 > $null; 'one', 'two' | ForEach-Object { Start-DreaminaVideo $_ $url } | Wait-DreaminaJob -PollInterval 0.05 | Save-DreaminaVideo -Directory ./clips -WriteMetadata", variables).ThrowOnError();

        var jobs = host.Run("Get-DreaminaJob").ThrowOnError().Objects<DreaminaJob>().ToList();
        Assert.Equal(2, jobs.Count);
        Assert.All(jobs, j => Assert.Equal((0.25m, 0.19m), (j.Cost!.Value, j.ActualCost!.Value)));
        foreach (var file in run.Objects<FileInfo>())
        {
            using var metadata = JsonDocument.Parse(File.ReadAllText(Path.ChangeExtension(file.FullName, ".json")));
            Assert.Equal(0.19m, metadata.RootElement.GetProperty("actual_cost").GetDecimal());
            Assert.Equal(0.25m, metadata.RootElement.GetProperty("estimated_cost").GetDecimal());
        }
        host.Run("Start-DreaminaVideo 'three' $url", variables).ThrowOnError();
        Assert.Equal(3, emulator.Stats.Requests(EmulatorEndpoint.Submit));
    }

    [Fact]
    public async Task A_missing_cost_leaves_the_estimate_standing()
    {
        var (emulator, host, _) = await Start(o => o.OmitCost = true);
        await using var __ = emulator;
        using var ___ = host;

        var job = Assert.Single(host.Run("Start-DreaminaVideo 'p' $url -Wait", new Dictionary<string, object?> { ["url"] = emulator.SampleImage("street.png").AbsoluteUri }).ThrowOnError().Objects<DreaminaJob>());
        Assert.Equal(0.5m, job.Cost);
        Assert.Null(job.ActualCost);
    }

    [Fact]
    public async Task Pending_and_starting_read_as_Queued_and_Running()
    {
        var (emulator, host, _) = await Start(o => { o.QueuedStatusWord = "pending"; o.RunningStatusWord = "starting"; o.Concurrency = 1; o.RunDuration = TimeSpan.FromHours(1); });
        await using var __ = emulator;
        using var ___ = host;
        var url = emulator.SampleImage("street.png").AbsoluteUri;

        var jobs = host.Run("'first', 'second' | ForEach-Object { Start-DreaminaVideo $_ $url }", new Dictionary<string, object?> { ["url"] = url }).ThrowOnError().Objects<DreaminaJob>().ToList();
        while (emulator.JobCounts().GetValueOrDefault(JobState.Running) == 0) await Task.Delay(10);
        var seen = host.Run("$jobs | Get-DreaminaStatus", new Dictionary<string, object?> { ["jobs"] = jobs }).ThrowOnError().Objects<DreaminaJob>().ToList();

        Assert.Equal(new[] { ("starting", JobStatus.Running), ("pending", JobStatus.Queued) }, seen.Select(j => (j.ServiceStatus!, j.Status)));
    }

    [Fact]
    public async Task A_result_about_another_model_is_an_error_and_nothing_is_saved_as_the_job_video()
    {
        var (emulator, host, _) = await Start(o => o.ResultModelId = "someone/else/model");
        await using var __ = emulator;
        using var ___ = host;

        var run = host.Run("Start-DreaminaVideo 'p' $url | Wait-DreaminaJob -PollInterval 0.05 | Save-DreaminaVideo -Directory ./clips", new Dictionary<string, object?> { ["url"] = emulator.SampleImage("street.png").AbsoluteUri });

        var error = Assert.Single(run.Errors);
        Assert.Equal(ErrorIds.ResultModelMismatch, error.FullyQualifiedErrorId.Split(',')[0]);
        Assert.Contains("someone/else/model", error.Exception.Message);
        Assert.Empty(run.Objects<FileInfo>());
        Assert.False(Directory.Exists(Path.Combine(host.WorkDirectory, "clips")) && Directory.EnumerateFiles(Path.Combine(host.WorkDirectory, "clips")).Any());
    }

    [Fact]
    public async Task The_live_schema_rules_refuse_before_anything_is_paid_in_the_service_words()
    {
        var (emulator, host, shots) = await Start(o => { o.PromptMaxLength = 300; o.MaxImageMegabytes = 1m; });
        await using var _ = emulator;
        using var __ = host;
        File.WriteAllBytes(Path.Combine(shots, "big.jpg"), SampleImages.JpegHeader(1280, 720, exifBytes: 1_500_000));
        var url = emulator.SampleImage("street.png").AbsoluteUri;

        var run = host.Run("Start-DreaminaVideo ('x' * 400) $url; Start-DreaminaVideo 'p' -ImagePath ([System.IO.Path]::Combine($shots, 'big.jpg'))", new Dictionary<string, object?> { ["url"] = url, ["shots"] = shots });

        Assert.Equal(2, run.Errors.Count);
        Assert.Equal(ErrorIds.PromptTooLong, run.Errors[0].FullyQualifiedErrorId.Split(',')[0]);
        Assert.Contains("at most 300", run.Errors[0].Exception.Message);
        Assert.Equal(ErrorIds.ImageFileTooLarge, run.Errors[1].FullyQualifiedErrorId.Split(',')[0]);
        Assert.Contains("less than 1 MB", run.Errors[1].Exception.Message);
        Assert.Equal(0, emulator.Stats.Requests(EmulatorEndpoint.Submit));

        var model = Assert.Single(host.Run("Get-DreaminaModel").ThrowOnError().Objects<DreaminaModelInfo>());
        Assert.Equal(("RunComfy", 300), (model.RulesFrom, model.MaxPromptLength));
        Assert.Contains(model.Rules, r => r.Name == "file_size_mb<" && r.Value == "1" && r.From == "RunComfy");
    }

    [Fact]
    public async Task Without_a_schema_the_page_rules_stand_and_say_so()
    {
        var (emulator, host, _) = await Start(o => o.Faults = new FaultOptions { Rate = 1, Kinds = new[] { FaultKind.NotFound }, Endpoints = new[] { EmulatorEndpoint.Model } });
        await using var __ = emulator;
        using var ___ = host;

        var run = host.Run("Get-DreaminaModel");
        var model = Assert.Single(run.Objects<DreaminaModelInfo>());
        Assert.Equal(("built in", 800), (model.RulesFrom, model.MaxPromptLength));
        Assert.Contains(run.Warnings, w => w.Message.Contains("built-in"));
    }
}
