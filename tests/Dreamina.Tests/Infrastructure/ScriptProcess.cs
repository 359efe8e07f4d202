using System;
using System.Diagnostics;
using System.IO;
using System.Threading.Tasks;

namespace Dreamina.Tests.Infrastructure;

/// <summary>A script run in a PowerShell process of its own (tests/Dreamina.ScriptHost) with the staged module imported.</summary>
public static class ScriptProcess
{
    private static readonly string Host = Path.Combine(ModuleUnderTest.RepoRoot, "tests", "Dreamina.ScriptHost", "bin", ModuleUnderTest.Configuration, "net10.0", "Dreamina.ScriptHost.dll");

    public static async Task<(int ExitCode, string[] Output, string Errors)> RunAsync(string script)
    {
        using var process = Start(script);
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, (await output).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries), await errors);
    }

    /// <summary>Starts the script and returns at once, for tests that stop or kill the process themselves.</summary>
    public static Process Start(string script)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { Host, ModuleUnderTest.Manifest, script }) start.ArgumentList.Add(argument);
        return Process.Start(start)!;
    }
}
