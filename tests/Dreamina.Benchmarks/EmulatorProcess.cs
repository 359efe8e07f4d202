using System;
using System.Diagnostics;
using System.IO;
using System.Net.Http;
using System.Text.Json;
using System.Threading.Tasks;

namespace Dreamina.Benchmarks;

/// <summary>The emulator as its own program, on free ports: a server apart from the clients measured against it.</summary>
internal sealed class EmulatorProcess : IDisposable
{
    private static readonly HttpClient Http = new();
    private readonly Process _process;

    private EmulatorProcess(Process process, Uri baseUri, Uri storageUri, Uri accountUri)
    {
        _process = process;
        BaseUri = baseUri;
        StorageUri = storageUri;
        AccountUri = accountUri;
    }

    public Uri BaseUri { get; }
    public Uri StorageUri { get; }
    public Uri AccountUri { get; }

    /// <param name="options">Emulator options, as on its command line (see its --help).</param>
    public static async Task<EmulatorProcess> StartAsync(string options)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "Dreamina.Emulator.dll");
        var process = Process.Start(new ProcessStartInfo("dotnet", $"\"{dll}\" --urls http://127.0.0.1:0 --storage-urls http://127.0.0.1:0 --account-urls http://127.0.0.1:0 {options}")
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
        })!;
        Uri? api = null, storage = null, account = null;
        while ((api is null || storage is null || account is null) && await process.StandardOutput.ReadLineAsync() is { } line)
        {
            if (line.StartsWith("RunComfy emulator listening on ", StringComparison.Ordinal)) api = new Uri(line.Substring(31).Trim());
            if (line.StartsWith("Storage origin: ", StringComparison.Ordinal)) storage = new Uri(line.Substring(16).Split(' ')[0]);
            if (line.StartsWith("Account origin: ", StringComparison.Ordinal)) account = new Uri(line.Substring(16).Split(' ')[0]);
        }
        if (api is null || storage is null || account is null) throw new InvalidOperationException("The emulator program did not say where it listens.");
        return new EmulatorProcess(process, api, storage, account);
    }

    /// <summary>What the emulator counted (GET /_emulator/stats).</summary>
    public async Task<JsonElement> StatsAsync() => JsonDocument.Parse(await Http.GetStringAsync(new Uri(BaseUri, "_emulator/stats"))).RootElement.Clone();

    public void Dispose()
    {
        _process.Kill(entireProcessTree: true);
        _process.Dispose();
    }
}
