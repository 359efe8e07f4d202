using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Dreamina.Tests.Infrastructure;

namespace Dreamina.Benchmarks;

/// <summary>What a benchmark script run in its own pwsh measured, and what was measured of it from outside.</summary>
internal sealed record ScriptResult(JsonElement Figures, double PeakGrowthMb, TimeSpan? Submitted);

/// <summary>
/// Runs a script of Scripts/ in a fresh pwsh (the repository's pinned PowerShell), as a user would. The script says
/// READY and its process id once it is idle (imported, connected); from then on that process's resident memory is
/// sampled, and the script's last line is the JSON of what it measured itself.
/// </summary>
internal static class PwshScript
{
    public static async Task<ScriptResult> RunAsync(string script, params (string Name, object Value)[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = ModuleUnderTest.RepoRoot };
        foreach (var argument in new[] { "pwsh", "-NoProfile", "-NonInteractive", "-File", Path.Combine(ModuleUnderTest.RepoRoot, "tests", "Dreamina.Benchmarks", "Scripts", script) }) start.ArgumentList.Add(argument);
        foreach (var (name, value) in arguments)
        {
            start.ArgumentList.Add("-" + name);
            start.ArgumentList.Add(Convert.ToString(value, CultureInfo.InvariantCulture)!);
        }
        using var process = Process.Start(start)!;
        var errors = process.StandardError.ReadToEndAsync();
        long idle = 0, peak = 0;
        TimeSpan? submitted = null;
        var clock = new Stopwatch();
        using var sampling = new CancellationTokenSource();
        Task? sampler = null;
        string? last = null;
        while (await process.StandardOutput.ReadLineAsync() is { } line)
        {
            if (line.StartsWith("READY ", StringComparison.Ordinal))
            {
                // `dotnet pwsh` may run PowerShell in a child process: the script says which process it is.
                var pid = int.Parse(line.Substring(6), CultureInfo.InvariantCulture);
                idle = Resident(pid);
                clock.Start();
                sampler = Task.Run(async () =>
                {
                    while (!sampling.IsCancellationRequested)
                    {
                        peak = Math.Max(peak, Resident(pid));
                        await Task.Delay(100);
                    }
                });
            }
            else if (line == "SUBMITTED") submitted = clock.Elapsed;
            else if (line.Trim().Length > 0) last = line;
        }
        sampling.Cancel();
        if (sampler is not null) await sampler;
        await process.WaitForExitAsync();
        if (process.ExitCode != 0 || last is null || !last.StartsWith('{'))
            throw new InvalidOperationException($"{script} failed ({process.ExitCode}): {last} {await errors}");
        return new ScriptResult(JsonDocument.Parse(last).RootElement.Clone(), (peak - idle) / 1048576.0, submitted);
    }

    // The child's resident set, from /proc (Linux); elsewhere, what Process says.
    private static long Resident(int pid)
    {
        try
        {
            if (!OperatingSystem.IsLinux()) return Process.GetProcessById(pid).WorkingSet64;
            var fields = File.ReadAllText($"/proc/{pid}/statm").Split(' ');
            return long.Parse(fields[1], CultureInfo.InvariantCulture) * Environment.SystemPageSize;
        }
        catch (Exception e) when (e is IOException or ArgumentException or InvalidOperationException)
        {
            return 0;
        }
    }
}
