using System;
using System.Collections.Generic;
using System.Linq;
using Dreamina.Benchmarks;

// dotnet run --project tests/Dreamina.Benchmarks -c Release
// Drives the staged module through the real PowerShell engine against the in-process emulator, and prints
// a table of figures against the targets of issue 5, plus the same as JSON under out/benchmarks/.
if (args.Length == 2 && args[0] == "--import-probe") return ImportProbe.Run(args[1]);

// Each part runs in a fresh process of its own, so no part inherits another's thread pool, heap or page cache;
// --only batch,baseline,wait,download,import runs parts here (batch also runs for baseline, which compares with it).
string[] parts = { "baseline", "wait", "download", "import" };
var only = args.Length == 2 && args[0] == "--only" ? args[1].Split(',') : null;
bool Runs(string part) => only is not null && (only.Contains(part) || (part == "batch" && only.Contains("baseline")));

var report = new Report();
var jobSeconds = 4.0;
report.Note($"Machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}; {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
report.Note($"Every job runs {jobSeconds} s in the emulator; the module polls every 2 s (its default). Figures for memory and CPU are the whole process, the in-process emulator included.");
report.Note("Each part ran in a fresh process, with the emulator in that process.");
if (only is null)
{
    foreach (var part in parts) report.Include(Report.RunPart(part));
    report.Print(saveJson: true);
    return report.AllMet ? 0 : 1;
}

var batchWalls = new Dictionary<int, double>();
foreach (var n in Runs("batch") ? new[] { 10, 100, 500 } : Array.Empty<int>())
{
    var (wall, statusPerJob, peak) = await Scenarios.Batch(n, jobSeconds);
    batchWalls[n] = wall;
    report.Add($"batch {n}: wall time (floor {jobSeconds:0} s)", wall, "s", n == 500 ? $"<= {jobSeconds + 5:0} s" : "", n != 500 || wall <= jobSeconds + 5);
    report.Add($"batch {n}: status requests per job", statusPerJob, "", $"<= {jobSeconds / 2 + 2:0}", statusPerJob <= jobSeconds / 2 + 2);
    report.Add($"batch {n}: peak requests in flight", peak, "", "", true);
}

if (Runs("baseline"))
{
    var baselinePerJob = await Scenarios.SequentialBaseline(10, jobSeconds);
    report.Add("baseline (docs' way, one by one), per job", baselinePerJob, "s", "", true);
    var perJobBatch = batchWalls[500] / 500;
    report.Add("batch 500 per job", perJobBatch, "s", "", true);
    report.Add("batch 500 is cheaper per job than the baseline by", baselinePerJob / perJobBatch, "x", ">= 50x", baselinePerJob / perJobBatch >= 50);
}

if (Runs("wait"))
{
    var (growth, cpu) = await Scenarios.WaitOnMany(1000);
    report.Add("waiting on 1,000 jobs: working set growth", growth, "MB", "<= 64 MB", growth <= 64);
    report.Add("waiting on 1,000 jobs for 20 s: CPU", cpu, "s", "", true);
}

if (Runs("download"))
{
    // Asked for with the emulator in this process; measured again with it in a process of its own, as it is for
    // curl: then the comparison is client against client, not also who shares the process with the server.
    foreach (var (where, own) in new[] { ("emulator in-process", false), ("emulator in its own process", true) })
    {
        var (moduleRate, slowest, curlRate, downloadGrowth) = await Scenarios.Download(512L * 1024 * 1024, own);
        report.Add($"512 MB download, {where}: Save-DreaminaVideo (median of 5)", moduleRate, "MB/s", "", true);
        report.Add($"512 MB download, {where}: Save-DreaminaVideo, slowest of 5", slowest, "MB/s", "", true);
        if (curlRate is { } curl)
        {
            report.Add($"512 MB download, {where}: curl -o, same URL (median of 5)", curl, "MB/s", "", true);
            report.Add($"512 MB download, {where}: Save-DreaminaVideo against curl", moduleRate / curl, "x", ">= 0.8x", moduleRate / curl >= 0.8);
        }
        else
        {
            report.Note("curl was not found, so the download was not compared with it.");
        }
        report.Add($"512 MB download, {where}: working set growth", downloadGrowth, "MB", "<= 32 MB", downloadGrowth <= 32);
    }
}

if (Runs("import"))
{
    var (dreamina, empty, dreaminaDll, emptyDll) = Scenarios.ImportTimes(7);
    report.Add("Import-Module Dreamina.psd1 (median of 7 fresh processes)", dreamina, "ms", "", true);
    report.Add("Import-Module of an empty binary module's .psd1", empty, "ms", "", true);
    report.Add("Dreamina's import against the empty module's", dreamina / empty, "x", "<= 2x", dreamina / empty <= 2);
    report.Add("the same as bare DLLs: Dreamina.dll", dreaminaDll, "ms", "", true);
    report.Add("the same as bare DLLs: EmptyModule.dll", emptyDll, "ms", "", true);
    report.Add("Dreamina.dll against EmptyModule.dll", dreaminaDll / emptyDll, "x", "", true);
}

report.Print(saveJson: false);
return report.AllMet ? 0 : 1;
