using System;
using System.Diagnostics;
using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Runspaces;

namespace Dreamina.Benchmarks;

/// <summary>Times Import-Module in a fresh process, so each figure includes loading the assembly.</summary>
internal static class ImportProbe
{
    public static double Measure(string module)
    {
        var start = new ProcessStartInfo("dotnet", $"\"{typeof(ImportProbe).Assembly.Location}\" --import-probe \"{module}\"")
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        using var probe = Process.Start(start)!;
        var text = probe.StandardOutput.ReadToEnd();
        probe.WaitForExit();
        if (probe.ExitCode != 0) throw new InvalidOperationException($"Import of {module} failed: {text}");
        return double.Parse(text.Trim(), CultureInfo.InvariantCulture);
    }

    public static int Run(string module)
    {
        using var runspace = RunspaceFactory.CreateRunspace(InitialSessionState.CreateDefault2());
        runspace.Open();
        using var shell = PowerShell.Create();
        shell.Runspace = runspace;
        shell.AddScript("$null").Invoke(); // the engine's own first-use costs are not the module's
        shell.Commands.Clear();
        var clock = Stopwatch.StartNew();
        shell.AddCommand("Import-Module").AddParameter("Name", module).AddParameter("ErrorAction", "Stop").Invoke();
        Console.WriteLine(clock.Elapsed.TotalMilliseconds.ToString("0.###", CultureInfo.InvariantCulture));
        return 0;
    }
}
