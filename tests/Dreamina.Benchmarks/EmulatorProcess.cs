using System;
using System.Diagnostics;
using System.IO;
using System.Threading.Tasks;
using Dreamina.Tests.Infrastructure;

namespace Dreamina.Benchmarks;

/// <summary>The emulator as its own program, on free ports, for measurements where sharing a process with it would skew them.</summary>
internal sealed class EmulatorProcess : IDisposable
{
    private readonly Process _process;

    private EmulatorProcess(Process process, Uri baseUri, Uri storageUri)
    {
        _process = process;
        BaseUri = baseUri;
        StorageUri = storageUri;
    }

    public Uri BaseUri { get; }
    public Uri StorageUri { get; }

    public static async Task<EmulatorProcess> StartAsync(long videoSize)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "Dreamina.Emulator.dll");
        var process = Process.Start(new ProcessStartInfo("dotnet", $"\"{dll}\" --urls http://127.0.0.1:0 --storage-urls http://127.0.0.1:0 --run-seconds 0.1 --queue-seconds 0 --video-size {videoSize}")
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
        })!;
        Uri? api = null, storage = null;
        while ((api is null || storage is null) && await process.StandardOutput.ReadLineAsync() is { } line)
        {
            if (line.StartsWith("RunComfy emulator listening on ", StringComparison.Ordinal)) api = new Uri(line.Substring(31).Trim());
            if (line.StartsWith("Storage origin: ", StringComparison.Ordinal)) storage = new Uri(line.Substring(16).Split(' ')[0]);
        }
        if (api is null || storage is null) throw new InvalidOperationException("The emulator program did not say where it listens.");
        return new EmulatorProcess(process, api, storage);
    }

    public void Dispose()
    {
        _process.Kill(entireProcessTree: true);
        _process.Dispose();
    }
}
