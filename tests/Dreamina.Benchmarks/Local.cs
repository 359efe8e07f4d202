using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Dreamina.Tests.Infrastructure;

namespace Dreamina.Benchmarks;

/// <summary>The targets that hold on one machine: a big download against curl, and Import-Module against an empty module.</summary>
internal static class Local
{
    private const long VideoBytes = 512L * 1024 * 1024;

    /// <summary>
    /// MB/s of Save-DreaminaVideo, of curl -o, and of a bare .NET HttpClient on the same 512 MB video from the
    /// emulator in its own process (medians of seven rounds, alternating which goes first, with dirty pages flushed before each so one file's
    /// writeback does not slow the next), and the module's peak memory growth.
    /// </summary>
    public static async Task Download(Report report)
    {
        using var server = await EmulatorProcess.StartAsync($"--run-seconds 0.1 --queue-seconds 0 --video-size {VideoBytes}");
        using var host = new PowerShellHost(null);
        host.Run($"Connect-Dreamina -BaseUri '{server.BaseUri}' -Token ([System.Net.NetworkCredential]::new('', 'emulator-token').SecurePassword) -JournalPath ./jobs.jsonl > $null").ThrowOnError();
        var image = new Dictionary<string, object?> { ["img"] = new Uri(server.StorageUri, "samples/street.jpg").AbsoluteUri };
        host.Run("$script:job = Start-DreaminaVideo 'big' $img | Wait-DreaminaJob -PollInterval 0.1", image).ThrowOnError();
        var video = host.Run("$job.VideoUri.AbsoluteUri").Output.Single().ToString();
        var megabytes = VideoBytes / 1048576.0;
        var module = new List<double>();
        var curl = new List<double>();
        var plain = new List<double>();
        using var http = new System.Net.Http.HttpClient();
        var growth = 0.0;
        async Task Module()
        {
            await Run("sync", "");
            using var sampler = new PeakSampler();
            var clock = Stopwatch.StartNew();
            var file = host.Run("$job | Save-DreaminaVideo -Directory ./big -Force").ThrowOnError().Objects<FileInfo>().Single();
            module.Add(megabytes / clock.Elapsed.TotalSeconds);
            growth = Math.Max(growth, sampler.GrowthMb);
            if (file.Length != VideoBytes) throw new InvalidOperationException($"saved {file.Length} bytes of {VideoBytes}");
            file.Delete();
        }
        async Task Curl()
        {
            var target = Path.Combine(host.WorkDirectory, "curl.mp4");
            await Run("sync", "");
            var clock = Stopwatch.StartNew();
            if (await Run("curl", $"-s -o \"{target}\" \"{video}\"") && new FileInfo(target).Length == VideoBytes) curl.Add(megabytes / clock.Elapsed.TotalSeconds);
            File.Delete(target);
        }
        // The floor for any .NET client: HttpClient's stream copied to a file, in this same process.
        async Task Plain()
        {
            var target = Path.Combine(host.WorkDirectory, "plain.mp4");
            await Run("sync", "");
            var clock = Stopwatch.StartNew();
            await using (var body = await http.GetStreamAsync(video))
            await using (var file = File.Create(target))
            {
                await body.CopyToAsync(file, 1024 * 1024);
            }
            plain.Add(megabytes / clock.Elapsed.TotalSeconds);
            File.Delete(target);
        }
        for (var round = 0; round < 7; round++)
        {
            if (round % 2 == 0) { await Module(); await Curl(); await Plain(); }
            else { await Plain(); await Curl(); await Module(); }
        }
        report.Add("512 MB download: Save-DreaminaVideo (median of 7)", Median(module), "MB/s", "", true);
        report.Add("512 MB download: Save-DreaminaVideo, slowest of 7", module.Min(), "MB/s", "", true);
        if (curl.Count == 0)
        {
            report.Note("curl was not found, so the download was not compared with it.");
        }
        else
        {
            report.Add("512 MB download: curl -o, same URL (median of 7)", Median(curl), "MB/s", "", true);
            report.Add("512 MB download: Save-DreaminaVideo against curl", Median(module) / Median(curl), "x", ">= 1x", Median(module) / Median(curl) >= 1);
        }
        report.Add("512 MB download: .NET HttpClient stream to file, same process (median of 7)", Median(plain), "MB/s", "", true);
        report.Add("512 MB download: Save-DreaminaVideo against that", Median(module) / Median(plain), "x", "", true);
        report.Add("512 MB download: memory growth", growth, "MB", "<= 32 MB", growth <= 32);
    }

    /// <summary>Runs a program to the end; false when it is not installed or fails.</summary>
    private static async Task<bool> Run(string program, string arguments)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(program, arguments) { UseShellExecute = false })!;
            await process.WaitForExitAsync();
            return process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    /// <summary>
    /// Median Import-Module times in fresh processes, alternating, for the staged module and an empty binary module
    /// (one trivial cmdlet), both through their manifests. A manifest costs every module the same fixed parsing and
    /// checking, so like is compared with like.
    /// </summary>
    public static void Import(Report report)
    {
        const int Rounds = 7;
        var empty = Path.Combine(ModuleUnderTest.RepoRoot, "tests", "Dreamina.Benchmarks.EmptyModule", "bin", ModuleUnderTest.Configuration, "netstandard2.0", "EmptyModule.psd1");
        var dreamina = new List<double>();
        var baseline = new List<double>();
        for (var round = 0; round < Rounds; round++)
        {
            dreamina.Add(ImportProbe.Measure(ModuleUnderTest.Manifest));
            baseline.Add(ImportProbe.Measure(empty));
        }
        report.Add($"Import-Module Dreamina.psd1 (median of {Rounds} fresh processes)", Median(dreamina), "ms", "", true);
        report.Add("Import-Module of an empty binary module's .psd1", Median(baseline), "ms", "", true);
        report.Add("Dreamina's import against the empty module's", Median(dreamina) / Median(baseline), "x", "<= 1.5x", Median(dreamina) / Median(baseline) <= 1.5);
    }

    private static double Median(List<double> values) => values.OrderBy(v => v).ElementAt(values.Count / 2);
}
