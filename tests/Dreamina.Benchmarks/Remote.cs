using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Dreamina.Emulator;
using Dreamina.Tests.Infrastructure;

namespace Dreamina.Benchmarks;

/// <summary>
/// The user's case: a remote service (the emulator in its own process, with a delay on every answer and every new
/// connection), a distinct image per job, real queues, and the module driven by a fresh pwsh as a user runs it,
/// timed beside the loops a user would write from the service's documentation.
/// </summary>
internal static class Remote
{
    private const double JobSeconds = 4;

    private static string Manifest => ModuleUnderTest.Manifest;

    private static string NewWork(string name) => Directory.CreateTempSubdirectory($"dreamina-bench-{name}-").FullName;

    private static (string, object)[] Module(EmulatorProcess emulator, int count, string work, params (string, object)[] more)
        => new (string, object)[]
        {
            ("Manifest", Manifest), ("BaseUri", emulator.BaseUri.AbsoluteUri.TrimEnd('/')), ("AccountUri", emulator.AccountUri.AbsoluteUri.TrimEnd('/')),
            ("Storage", emulator.StorageUri.AbsoluteUri.TrimEnd('/')), ("Count", count), ("Work", work),
        }.Concat(more).ToArray();

    private static (string, object)[] Docs(EmulatorProcess emulator, int count, string work, int parallel)
        => new (string, object)[]
        {
            ("BaseUri", emulator.BaseUri.AbsoluteUri.TrimEnd('/')), ("Storage", emulator.StorageUri.AbsoluteUri.TrimEnd('/')),
            ("Count", count), ("Work", work), ("Parallel", parallel),
        };

    // Enough credit that no part runs out of money halfway.
    private const string Wallet = "--balance 1000000";

    private static string NoQueue(int latencyMs) => $"{Wallet} --latency-ms {latencyMs} --concurrency 100000 --run-seconds {JobSeconds} --queue-seconds 0";

    private static double Number(JsonElement e, string name) => e.GetProperty(name).GetDouble();

    private static double StatusRequests(JsonElement stats)
    {
        var requests = stats.GetProperty("requests");
        return (requests.TryGetProperty("status", out var s) ? s.GetDouble() : 0) + (requests.TryGetProperty("result", out var r) ? r.GetDouble() : 0);
    }

    /// <summary>N jobs of 4 s against a service 150 ms away with no queue: the module, ForEach-Object -Parallel 16, and (for small N) the sequential loop.</summary>
    public static async Task RemoteBatch(Report report, int n, bool sequential)
    {
        double module, parallel;
        using (var emulator = await EmulatorProcess.StartAsync(NoQueue(150)))
        {
            var run = await PwshScript.RunAsync("Module.ps1", Module(emulator, n, NewWork("module")));
            module = Number(run.Figures, "wall");
            Check(run.Figures, n);
            var stats = await emulator.StatsAsync();
            report.Add($"N={n}, 4 s jobs, 150 ms away: module, wall time", module, "s", n == 200 ? $"<= {JobSeconds + 5:0} s" : "", n != 200 || module <= JobSeconds + 5);
            report.Add($"N={n}: module, status requests per job", StatusRequests(stats) / n, "", "", true);
            report.Add($"N={n}: module, peak requests per second", stats.GetProperty("peak_requests_per_second").GetDouble(), "/s", "", true);
            report.Add($"N={n}: module, peak connections", stats.GetProperty("peak_connections").GetDouble(), "", "", true);
            report.Add($"N={n}: module, journal lines per job", Number(run.Figures, "journalLines") / n, "", "", true);
        }
        using (var emulator = await EmulatorProcess.StartAsync(NoQueue(150)))
        {
            var run = await PwshScript.RunAsync("Docs.ps1", Docs(emulator, n, NewWork("parallel"), 16));
            parallel = Number(run.Figures, "wall");
            var stats = await emulator.StatsAsync();
            report.Add($"N={n}: ForEach-Object -Parallel 16 (docs' loop), wall time", parallel, "s", "", true);
            report.Add($"N={n}: ForEach-Object -Parallel 16, status requests per job", StatusRequests(stats) / n, "", "", true);
            report.Add($"N={n}: ForEach-Object -Parallel 16, peak connections", stats.GetProperty("peak_connections").GetDouble(), "", "", true);
        }
        var (target, met) = n == 200 ? (">= 8x", parallel / module >= 8) : (">= 1x (no slower)", parallel / module >= 1);
        report.Add($"N={n}: module faster than ForEach-Object -Parallel 16 by", parallel / module, "x", target, met);
        if (!sequential) return;
        using (var emulator = await EmulatorProcess.StartAsync(NoQueue(150)))
        {
            var run = await PwshScript.RunAsync("Docs.ps1", Docs(emulator, 3, NewWork("sequential"), 0));
            report.Add("the docs' sequential loop, per job (3 jobs)", Number(run.Figures, "wall") / 3, "s", "", true);
        }
    }

    /// <summary>N jobs of 4 s through 50 slots, 100 ms away: the module against the ideal, its polling budget and how late it noticed finishes.</summary>
    public static async Task Queue(Report report, int n)
    {
        const int Slots = 50;
        using var emulator = await EmulatorProcess.StartAsync($"{Wallet} --latency-ms 100 --concurrency {Slots} --run-seconds {JobSeconds} --queue-seconds 0");
        var run = await PwshScript.RunAsync("Module.ps1", Module(emulator, n, NewWork("queue")));
        Check(run.Figures, n);
        var stats = await emulator.StatsAsync();
        var jobs = stats.GetProperty("jobs");
        var ideal = n / (double)Slots * JobSeconds;
        var wall = Number(run.Figures, "wall");
        report.Add($"N={n}, {Slots} slots, 100 ms away: wall time (ideal {ideal:0} s)", wall, "s", $"<= {1.15 * ideal + 5:0.#} s", wall <= 1.15 * ideal + 5);
        // Filling the slots takes a round trip at best; from then on, no slot may wait for the module.
        report.Add($"N={n}: every slot first busy after", Number(jobs, "slots_full_after_seconds"), "s", "", true);
        report.Add($"N={n}: slot-seconds idle from then while jobs waited to be submitted", Number(jobs, "idle_slot_seconds_while_submitting"), "s", "0 (< 1 s)", Number(jobs, "idle_slot_seconds_while_submitting") < 1);
        report.Add($"N={n}: all submitted after", Number(jobs, "submitting_seconds"), "s", "", true);
        report.Add($"N={n}: status requests per job", StatusRequests(stats) / n, "", "", true);
        report.Add($"N={n}: jobs polled more than once per 2.5 s open, plus first and last", Number(jobs, "polls_over_budget"), "", "0", Number(jobs, "polls_over_budget") == 0);
        report.Add($"N={n}: finishes noticed late, mean", Number(jobs, "notice_seconds_mean"), "s", "<= 3 s (poll interval + 1)", Number(jobs, "notice_seconds_mean") <= 3);
        report.Add($"N={n}: finishes noticed late, worst", Number(jobs, "notice_seconds_max"), "s", "<= 4 s (2 x poll interval)", Number(jobs, "notice_seconds_max") <= 4);
        report.Add($"N={n}: peak requests per second", stats.GetProperty("peak_requests_per_second").GetDouble(), "/s", "", true);
        report.Add($"N={n}: journal lines per job", Number(run.Figures, "journalLines") / n, "", "", true);
    }

    /// <summary>
    /// 5,000 jobs queued behind 50 slots of hour-long jobs: what waiting on them costs in requests (the first round,
    /// which learns every job's position, and the last minute, once the queue is known), memory and journal lines.
    /// </summary>
    public static async Task Deep(Report report, int n, int waitSeconds)
    {
        using var emulator = await EmulatorProcess.StartAsync($"{Wallet} --latency-ms 100 --concurrency 50 --run-seconds 3600 --queue-seconds 0");
        var counts = new List<(DateTime At, double Requests)>();
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                counts.Add((DateTime.UtcNow, StatusRequests(await emulator.StatsAsync())));
                await Task.Delay(TimeSpan.FromSeconds(1), CancellationToken.None);
            }
        });
        var run = await PwshScript.RunAsync("Module.ps1", Module(emulator, n, NewWork("deep"), ("WaitSeconds", waitSeconds)));
        sampling.Cancel();
        await sampler;
        var end = counts[^1];
        var minuteBefore = counts.Last(c => c.At <= end.At.AddSeconds(-60));
        report.Add($"N={n:N0} queued, 100 ms away: all submitted after", Number(run.Figures, "submitted"), "s", "", true);
        report.Add($"N={n:N0}: status requests per job, {waitSeconds} s of waiting", end.Requests / n, "", "", true);
        report.Add($"N={n:N0}: status requests per second, last minute", (end.Requests - minuteBefore.Requests) / (end.At - minuteBefore.At).TotalSeconds, "/s", "", true);
        report.Add($"N={n:N0}: peak requests per second (all kinds)", (await emulator.StatsAsync()).GetProperty("peak_requests_per_second").GetDouble(), "/s", "", true);
        report.Add($"N={n:N0}: memory above idle (pwsh, peak)", run.PeakGrowthMb, "MB", "<= 150 MB", run.PeakGrowthMb <= 150);
        report.Add($"N={n:N0}: journal lines per job", Number(run.Figures, "journalLines") / n, "", "<= 4", Number(run.Figures, "journalLines") / n <= 4);
    }

    /// <summary>
    /// 200 local 2 MB images uploaded through Azurite, and sent inline with no store, against the same batch from URLs, and
    /// against uploading the same files with curl, 32 at a time (what a script would do before submitting URLs).
    /// </summary>
    public static async Task Upload(Report report, int n)
    {
        await using var azurite = await Azurite.StartAsync();
        var folder = Directory.CreateTempSubdirectory("dreamina-bench-images-").FullName;
        for (var i = 0; i < n; i++) File.WriteAllBytes(Path.Combine(folder, $"shot-{i:0000}.png"), SampleImages.Png(1280, 720, paddingBytes: 2_000_000, fill: (byte)i));
        double local, inline, urls, curl;
        using (var emulator = await EmulatorProcess.StartAsync(NoQueue(0)))
        {
            var (_, store) = await azurite.NewContainerAsync();
            var run = await PwshScript.RunAsync("Module.ps1", Module(emulator, n, NewWork("upload"), ("Folder", folder), ("ImageStore", store.AbsoluteUri)));
            Check(run.Figures, n);
            local = Number(run.Figures, "wall");
        }
        using (var emulator = await EmulatorProcess.StartAsync(NoQueue(0)))
        {
            var run = await PwshScript.RunAsync("Module.ps1", Module(emulator, n, NewWork("inline"), ("Folder", folder)));
            Check(run.Figures, n);
            inline = Number(run.Figures, "wall");
        }
        using (var emulator = await EmulatorProcess.StartAsync(NoQueue(0)))
        {
            var run = await PwshScript.RunAsync("Module.ps1", Module(emulator, n, NewWork("urls")));
            Check(run.Figures, n);
            urls = Number(run.Figures, "wall");
        }
        {
            var (_, store) = await azurite.NewContainerAsync();
            var start = new ProcessStartInfo("sh");
            foreach (var argument in new[]
            {
                "-c", "cd \"$1\" && ls | xargs -P 32 -I{} curl -sf -o /dev/null -T {} -H 'x-ms-blob-type: BlockBlob' \"$2/{}?$3\"",
                "upload", folder, store.GetLeftPart(UriPartial.Path), store.Query.TrimStart('?'),
            }) start.ArgumentList.Add(argument);
            var clock = Stopwatch.StartNew();
            using var upload = Process.Start(start)!;
            await upload.WaitForExitAsync();
            curl = clock.Elapsed.TotalSeconds;
            if (upload.ExitCode != 0) throw new InvalidOperationException("curl could not upload the images to Azurite.");
        }
        Directory.Delete(folder, recursive: true);
        report.Add($"{n} local 2 MB images through Azurite: Start | Wait | Save, wall time", local, "s", "", true);
        report.Add($"the same {n} local images inline, no store: Start | Wait | Save, wall time", inline, "s", "", true);
        report.Add($"the same {n} jobs from URLs, wall time", urls, "s", "", true);
        report.Add($"uploading the same {n} files with curl, 32 at a time, alone", curl, "s", "", true);
        report.Add("local images' extra time against curl's upload alone", (local - urls) / curl, "x", "", true);
        report.Add("inline images' extra time against curl's upload alone", (inline - urls) / curl, "x", "", true);
    }

    /// <summary>
    /// A batch run again once its videos are saved, as a script re-run after a crash would be: the same inputs
    /// (signed anew), the same journal and folder. What the re-run sends, downloads and how long it takes.
    /// </summary>
    public static async Task Rerun(Report report, int n)
    {
        using var emulator = await EmulatorProcess.StartAsync(NoQueue(100));
        var work = NewWork("rerun");
        var first = await PwshScript.RunAsync("Module.ps1", Module(emulator, n, work));
        Check(first.Figures, n);
        var before = (await emulator.StatsAsync()).GetProperty("requests").Clone();
        var again = await PwshScript.RunAsync("Module.ps1", Module(emulator, n, work));
        Check(again.Figures, n);
        var after = (await emulator.StatsAsync()).GetProperty("requests");
        double Sent(string endpoint) => (after.TryGetProperty(endpoint, out var a) ? a.GetDouble() : 0) - (before.TryGetProperty(endpoint, out var b) ? b.GetDouble() : 0);
        var wall = Number(again.Figures, "wall");
        report.Add($"{n:N0} jobs, 100 ms away: first run, Start | Wait | Save, wall time", Number(first.Figures, "wall"), "s", "", true);
        report.Add($"{n:N0} jobs: the same run again, videos saved: wall time", wall, "s", "<= 3 s", wall <= 3);
        report.Add($"{n:N0} jobs: the same run again: submissions", Sent("submit"), "", "0", Sent("submit") == 0);
        report.Add($"{n:N0} jobs: the same run again: downloads", Sent("download"), "", "0", Sent("download") == 0);
        report.Add($"{n:N0} jobs: the same run again: status and result requests", Sent("status") + Sent("result"), "", "", true);
        Directory.Delete(work, recursive: true);
    }

    /// <summary>
    /// The same batch with the journal in a table (Azurite's table service, on this machine) and in a file, in one run:
    /// what sharing the journal costs in time, and the table requests per job.
    /// </summary>
    public static async Task Table(Report report, int n)
    {
        var (azurite, tables) = await Azurite.StartTablesAsync();
        try
        {
            double file, table, operations;
            using (var emulator = await EmulatorProcess.StartAsync(NoQueue(100)))
            {
                var run = await PwshScript.RunAsync("Module.ps1", Module(emulator, n, NewWork("file")));
                Check(run.Figures, n);
                file = Number(run.Figures, "wall");
            }
            using (var emulator = await EmulatorProcess.StartAsync(NoQueue(100)))
            {
                var run = await PwshScript.RunAsync("Module.ps1", Module(emulator, n, NewWork("table"), ("JournalUri", (await Azurite.NewTableAsync(tables)).AbsoluteUri)));
                Check(run.Figures, n);
                table = Number(run.Figures, "wall");
                operations = Number(run.Figures, "tableOperations");
            }
            report.Add($"{n} jobs, 100 ms away, Start | Wait | Save, file journal: wall time", file, "s", "", true);
            report.Add($"{n} jobs: the same with the journal in a table (Azurite): wall time", table, "s", "", true);
            report.Add($"{n} jobs: table journal against file journal", table / file, "x", "<= 1.3x", table / file <= 1.3);
            report.Add($"{n} jobs: table requests per job", operations / n, "", "", true);
        }
        finally
        {
            azurite.Kill(entireProcessTree: true);
            azurite.Dispose();
        }
    }

    private static void Check(JsonElement figures, int n)
    {
        if (figures.GetProperty("done").GetInt32() != n || figures.GetProperty("errors").GetInt32() != 0)
            throw new InvalidOperationException($"The run did not finish cleanly: {figures}");
    }
}
