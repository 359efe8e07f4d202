using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Dreamina.Emulator;
using Dreamina.Tests.Infrastructure;

namespace Dreamina.Benchmarks;

internal static class Scenarios
{
    private static EmulatorOptions AllAtOnce(double jobSeconds) => new()
    {
        Concurrency = 100_000,
        QueueDelay = TimeSpan.Zero,
        RunDuration = TimeSpan.FromSeconds(jobSeconds),
    };

    private static Dictionary<string, object?> Image(RunComfyEmulator emulator) => new() { ["img"] = emulator.SampleImage("street.jpg").AbsoluteUri };

    /// <summary>N jobs through Start | Wait | Save: wall time, status requests per job, peak requests in flight.</summary>
    public static async Task<(double Wall, double StatusPerJob, int PeakInFlight)> Batch(int n, double jobSeconds)
    {
        await using var emulator = await RunComfyEmulator.StartAsync(AllAtOnce(jobSeconds));
        using var host = new PowerShellHost(emulator);
        emulator.Stats.Reset();
        var clock = Stopwatch.StartNew();
        var run = host.Run($"1..{n} | ForEach-Object {{ [pscustomobject]@{{ Prompt = \"shot $_\"; ImageUri = $img }} }} | Start-DreaminaVideo | Wait-DreaminaJob | Save-DreaminaVideo -Directory ./clips", Image(emulator));
        var wall = clock.Elapsed.TotalSeconds;
        if (run.Errors.Count > 0 || run.Output.Count != n) throw new InvalidOperationException($"batch {n}: {run.Output.Count} files, {run.Errors.Count} errors: {run.Errors.FirstOrDefault()}");
        return (wall, emulator.Stats.Requests(EmulatorEndpoint.Status) / (double)n, emulator.Stats.PeakRequestsInFlight);
    }

    /// <summary>The service's documented way, as a curl loop would do it: submit, poll every 2 s, fetch the result, download; one job after another.</summary>
    public static async Task<double> SequentialBaseline(int n, double jobSeconds)
    {
        await using var emulator = await RunComfyEmulator.StartAsync(AllAtOnce(jobSeconds));
        using var http = new HttpClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", emulator.Token);
        var folder = Directory.CreateTempSubdirectory("dreamina-baseline-").FullName;
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < n; i++)
        {
            var body = JsonSerializer.Serialize(new { prompt = $"shot {i}", image_urls = new[] { emulator.SampleImage("street.jpg").AbsoluteUri } });
            using var submitted = await http.PostAsync(new Uri(emulator.BaseUri, "v1/models/" + RunComfyEmulator.ModelId), new StringContent(body, Encoding.UTF8, "application/json"));
            var id = JsonDocument.Parse(await submitted.Content.ReadAsStringAsync()).RootElement.GetProperty("request_id").GetString();
            string status;
            do
            {
                await Task.Delay(TimeSpan.FromSeconds(2));
                status = JsonDocument.Parse(await http.GetStringAsync(new Uri(emulator.BaseUri, $"v1/requests/{id}/status"))).RootElement.GetProperty("status").GetString()!;
            }
            while (status is "in_queue" or "in_progress");
            var result = JsonDocument.Parse(await http.GetStringAsync(new Uri(emulator.BaseUri, $"v1/requests/{id}/result"))).RootElement;
            var video = result.GetProperty("output").GetProperty("video").GetString()!;
            await File.WriteAllBytesAsync(Path.Combine(folder, id + ".mp4"), await new HttpClient().GetByteArrayAsync(video));
        }
        var perJob = clock.Elapsed.TotalSeconds / n;
        Directory.Delete(folder, recursive: true);
        return perJob;
    }

    /// <summary>Working-set growth and CPU while Wait-DreaminaJob follows N long jobs for 20 s.</summary>
    public static async Task<(double GrowthMb, double CpuSeconds)> WaitOnMany(int n)
    {
        await using var emulator = await RunComfyEmulator.StartAsync(AllAtOnce(3600));
        using var host = new PowerShellHost(emulator);
        host.Run($"$script:jobs = 1..{n} | ForEach-Object {{ Start-DreaminaVideo \"job $_\" $img -SkipImageCheck }}", Image(emulator)).ThrowOnError();
        using var sampler = new PeakSampler();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        host.Run("$jobs | Wait-DreaminaJob -Timeout 20").ThrowOnError();
        var used = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        return (sampler.GrowthMb, used.TotalSeconds);
    }

    /// <summary>
    /// MB/s of Save-DreaminaVideo and of curl -o on the same video (medians of five rounds, alternating which goes
    /// first, with dirty pages flushed before each so one file's writeback does not slow the next), the module's
    /// slowest round, and its peak working-set growth.
    /// </summary>
    public static async Task<(double ModuleMbPerSecond, double ModuleSlowest, double? CurlMbPerSecond, double GrowthMb)> Download(long size, bool serverInOwnProcess)
    {
        var options = AllAtOnce(0.1);
        options.VideoSizeBytes = size;
        await using var emulator = await RunComfyEmulator.StartAsync(options);
        using var server = serverInOwnProcess ? await EmulatorProcess.StartAsync(size) : null;
        using var host = new PowerShellHost(emulator);
        if (server is not null) host.Run($"Connect-Dreamina -BaseUri '{server.BaseUri}' > $null").ThrowOnError();
        var image = server is null ? Image(emulator) : new Dictionary<string, object?> { ["img"] = new Uri(server.StorageUri, "samples/street.jpg").AbsoluteUri };
        host.Run("$script:job = Start-DreaminaVideo 'big' $img | Wait-DreaminaJob -PollInterval 0.1", image).ThrowOnError();
        var video = host.Run("$job.VideoUri.AbsoluteUri").Output.Single().ToString();
        var megabytes = size / 1048576.0;
        var module = new List<double>();
        var curl = new List<double>();
        var growth = 0.0;
        for (var round = 0; round < 5; round++)
        {
            async Task Module()
            {
                await Run("sync", "");
                using var sampler = new PeakSampler();
                var clock = Stopwatch.StartNew();
                var file = host.Run("$job | Save-DreaminaVideo -Directory ./big -Force").ThrowOnError().Objects<FileInfo>().Single();
                module.Add(megabytes / clock.Elapsed.TotalSeconds);
                growth = Math.Max(growth, sampler.GrowthMb);
                if (file.Length != size) throw new InvalidOperationException($"saved {file.Length} bytes of {size}");
                file.Delete();
            }
            async Task Curl()
            {
                var target = Path.Combine(host.WorkDirectory, "curl.mp4");
                await Run("sync", "");
                var clock = Stopwatch.StartNew();
                if (await Run("curl", $"-s -o \"{target}\" \"{video}\"") && new FileInfo(target).Length == size) curl.Add(megabytes / clock.Elapsed.TotalSeconds);
                File.Delete(target);
            }
            if (round % 2 == 0) { await Module(); await Curl(); }
            else { await Curl(); await Module(); }
        }
        return (Median(module), module.Min(), curl.Count == 0 ? null : Median(curl), growth);
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
    /// (one trivial cmdlet), both through their manifests and both as bare DLLs. A manifest costs every module the
    /// same fixed parsing and checking, so like is compared with like.
    /// </summary>
    public static (double Dreamina, double Empty, double DreaminaDll, double EmptyDll) ImportTimes(int rounds)
    {
        var empty = Path.Combine(ModuleUnderTest.RepoRoot, "tests", "Dreamina.Benchmarks.EmptyModule", "bin", ModuleUnderTest.Configuration, "netstandard2.0");
        var times = new List<double>[4];
        for (var i = 0; i < times.Length; i++) times[i] = new List<double>();
        for (var round = 0; round < rounds; round++)
        {
            times[0].Add(ImportProbe.Measure(ModuleUnderTest.Manifest));
            times[1].Add(ImportProbe.Measure(Path.Combine(empty, "EmptyModule.psd1")));
            times[2].Add(ImportProbe.Measure(Path.Combine(ModuleUnderTest.StagedDirectory, "Dreamina.dll")));
            times[3].Add(ImportProbe.Measure(Path.Combine(empty, "EmptyModule.dll")));
        }
        return (Median(times[0]), Median(times[1]), Median(times[2]), Median(times[3]));
    }

    private static double Median(List<double> values) => values.OrderBy(v => v).ElementAt(values.Count / 2);
}
