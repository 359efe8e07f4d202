using System;
using System.Linq;
using System.Threading.Tasks;
using Dreamina.Benchmarks;

// dotnet run --project tests/Dreamina.Benchmarks -c Release [-- --only remote10,remote200,queue500,queue1000,deep,upload,rerun,table,download,import]
// Measures the staged module in fresh pwsh processes against the emulator in a process of its own, beside the
// loops a user would write from the service's documentation; prints a table against the targets and writes it
// as JSON under out/benchmarks/.
if (args.Length == 2 && args[0] == "--import-probe") return ImportProbe.Run(args[1]);

// Each part runs in a fresh process of its own, so no part inherits another's thread pool, heap or page cache.
string[] parts = { "remote10", "remote200", "queue500", "queue1000", "deep", "upload", "rerun", "table", "download", "import" };
var only = args.Length == 2 && args[0] == "--only" ? args[1].Split(',') : null;

var report = new Report();
report.Note($"Machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}; {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
report.Note("Every job runs 4 s in the emulator (its own process, real time); the module polls every 2 s (its default). " +
            "Every answer of the emulator, and every new connection, waits the latency first, as a remote service would.");
if (only is null)
{
    foreach (var part in parts) report.Include(Report.RunPart(part));
    report.Print(saveJson: true);
    return report.AllMet ? 0 : 1;
}

foreach (var part in only)
{
    switch (part)
    {
        case "remote10": await Remote.RemoteBatch(report, 10, sequential: true); break;
        case "remote200": await Remote.RemoteBatch(report, 200, sequential: false); break;
        case "queue500": await Remote.Queue(report, 500); break;
        case "queue1000": await Remote.Queue(report, 1000); break;
        case "deep": await Remote.Deep(report, 5000, waitSeconds: 180); break;
        case "upload": await Remote.Upload(report, 200); break;
        case "rerun": await Remote.Rerun(report, 1000); break;
        case "table": await Remote.Table(report, 200); break;
        case "download": await Local.Download(report); break;
        case "import": Local.Import(report); break;
        default: throw new ArgumentException($"Unknown part '{part}'; the parts are {string.Join(", ", parts)}.");
    }
}
report.Print(saveJson: false);
return report.AllMet ? 0 : 1;
