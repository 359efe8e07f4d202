using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using Dreamina.Emulator;

namespace Dreamina.Tests.Infrastructure;

/// <summary>What a script run produced, stream by stream.</summary>
public sealed record ScriptRun(
    IReadOnlyList<PSObject> Output,
    IReadOnlyList<ErrorRecord> Errors,
    IReadOnlyList<WarningRecord> Warnings,
    IReadOnlyList<VerboseRecord> Verbose,
    IReadOnlyList<DebugRecord> Debug,
    IReadOnlyList<ProgressRecord> Progress)
{
    public IEnumerable<T> Objects<T>() => Output.Select(o => o.BaseObject).OfType<T>();

    /// <summary>Every piece of text the run produced, for leak checks.</summary>
    public string AllText() => string.Join("\n",
        Output.Select(o => o.ToString())
            .Concat(Errors.Select(e => e.ToString() + " " + e.Exception + " " + e.TargetObject))
            .Concat(Warnings.Select(w => w.Message))
            .Concat(Verbose.Select(v => v.Message))
            .Concat(Debug.Select(d => d.Message))
            .Concat(Progress.Select(p => p.Activity + " " + p.StatusDescription)));
}

/// <summary>
/// The real PowerShell 7 engine with the staged module imported and connected to an emulator, with its own
/// journal in a temporary folder. Core cmdlets only: no Select-Object or Write-Host in scripts.
/// </summary>
public sealed class PowerShellHost : IDisposable
{
    private readonly Runspace _runspace;

    public PowerShellHost(RunComfyEmulator? emulator, string? token = null, bool connect = true)
    {
        WorkDirectory = Directory.CreateTempSubdirectory("dreamina-test-").FullName;
        JournalPath = Path.Combine(WorkDirectory, "journal", "jobs.jsonl");
        var state = InitialSessionState.CreateDefault2();
        _runspace = RunspaceFactory.CreateRunspace(state);
        _runspace.Open();
        // Each host talks to its own emulator: settings of its own, not the process's.
        Dreamina.Configuration.DreaminaSession.Isolate(_runspace);
        Run($"Import-Module '{ModuleUnderTest.Manifest}' -ErrorAction Stop; $null = $ExecutionContext.SessionState.Path.SetLocation('{WorkDirectory}')").ThrowOnError();
        Token = token ?? emulator?.Token ?? "";
        if (emulator is not null && connect)
        {
            Run($"Connect-Dreamina -BaseUri '{emulator.BaseUri}' -AccountUri '{emulator.AccountUri}' -Token ([System.Net.NetworkCredential]::new('', '{token ?? emulator.Token}').SecurePassword) -JournalPath '{JournalPath}' -MaxRetries 6 > $null").ThrowOnError();
        }
    }

    public string WorkDirectory { get; }

    /// <summary>Shrinks retry backoff so fault tests run in seconds (the emulator's clock is scaled the same way).</summary>
    public void UseFastRetries(int maxRetries = 6)
        => Dreamina.Configuration.DreaminaSession.Isolate(_runspace).UseRetryPolicy(new Dreamina.Transport.RetryPolicy
        {
            MaxRetries = maxRetries,
            BaseDelay = TimeSpan.FromMilliseconds(10),
            MaxDelay = TimeSpan.FromMilliseconds(200),
            RequestTimeout = TimeSpan.FromSeconds(10),
        });

    public string Token { get; private set; } = "";
    public string JournalPath { get; }

    public ScriptRun Run(string script, IDictionary<string, object?>? variables = null)
    {
        using var shell = Create(script, variables);
        var output = shell.Invoke();
        return Collect(shell, output);
    }

    /// <summary>A PowerShell instance on this runspace, for tests that start and stop it themselves.</summary>
    public PowerShell Create(string script, IDictionary<string, object?>? variables = null)
    {
        var shell = PowerShell.Create();
        shell.Runspace = _runspace;
        foreach (var (name, value) in variables ?? new Dictionary<string, object?>()) shell.Runspace.SessionStateProxy.SetVariable(name, value);
        shell.AddScript(script);
        return shell;
    }

    public static ScriptRun Collect(PowerShell shell, IEnumerable<PSObject> output) => new(
        output.Where(o => o is not null).ToList(),
        shell.Streams.Error.ToList(),
        shell.Streams.Warning.ToList(),
        shell.Streams.Verbose.ToList(),
        shell.Streams.Debug.ToList(),
        shell.Streams.Progress.ToList());

    public void Dispose()
    {
        _runspace.Dispose();
        try { Directory.Delete(WorkDirectory, recursive: true); }
        catch (IOException) { }
    }
}

public static class ScriptRunExtensions
{
    public static ScriptRun ThrowOnError(this ScriptRun run)
    {
        if (run.Errors.Count > 0) throw new InvalidOperationException("The script failed: " + string.Join("\n", run.Errors.Select(e => e.ToString() + " [" + e.FullyQualifiedErrorId + "]")));
        return run;
    }
}
