using System;
using System.Diagnostics;
using System.IO;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using Azure.Data.Tables;
using Azure.Data.Tables.Sas;
using Azure.Storage.Blobs;
using Azure.Storage.Sas;

namespace Dreamina.Tests.Infrastructure;

/// <summary>
/// Azurite's blob service (npm package, installed by build.ps1 into tests/Azurite), started on a free loopback
/// port with in-memory storage, and containers with SAS tokens made as a user would make them.
/// </summary>
public sealed class Azurite : IAsyncDisposable
{
    // Azurite's documented development account.
    private const string Account = "devstoreaccount1";
    private const string Key = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    private static readonly string Entry = Path.Combine(ModuleUnderTest.RepoRoot, "tests", "Azurite", "node_modules", "azurite", "dist", "src", "blob", "main.js");
    private Process? _process;

    public Uri BlobEndpoint { get; private set; } = null!;
    public BlobServiceClient Service { get; private set; } = null!;

    public static async Task<Azurite> StartAsync()
    {
        var azurite = new Azurite();
        await azurite.StartProcessAsync();
        return azurite;
    }

    private async Task StartProcessAsync()
    {
        if (!File.Exists(Entry)) throw new InvalidOperationException($"Azurite is not installed ({Entry}); run ./build.ps1 -Task Test, which installs it with npm.");
        var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { Entry, "--inMemoryPersistence", "--blobHost", "127.0.0.1", "--blobPort", "0", "--skipApiVersionCheck", "--disableTelemetry" })
            start.ArgumentList.Add(argument);
        _process = Process.Start(start)!;
        var listening = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        _process.OutputDataReceived += (_, line) =>
        {
            if (line.Data is { } text && Regex.Match(text, @"successfully listens on (http://\S+)") is { Success: true } found) listening.TrySetResult(new Uri(found.Groups[1].Value));
        };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var origin = await listening.Task.WaitAsync(TimeSpan.FromSeconds(30));
        BlobEndpoint = new Uri(origin, Account + "/");
        Service = new BlobServiceClient($"DefaultEndpointsProtocol=http;AccountName={Account};AccountKey={Key};BlobEndpoint={BlobEndpoint};");
    }

    /// <summary>A new container, and its URL with a SAS of the given permissions and expiry: what -ImageStore takes.</summary>
    public async Task<(BlobContainerClient Container, Uri WithSas)> NewContainerAsync(BlobContainerSasPermissions permissions = BlobContainerSasPermissions.Read | BlobContainerSasPermissions.Create | BlobContainerSasPermissions.Write, TimeSpan? expiresIn = null)
    {
        var container = Service.GetBlobContainerClient("images-" + Guid.NewGuid().ToString("N")[..12]);
        await container.CreateAsync();
        return (container, container.GenerateSasUri(permissions, DateTimeOffset.UtcNow + (expiresIn ?? TimeSpan.FromHours(1))));
    }

    /// <summary>Azurite's table service on a free port (it does not say which port it took for 0, so one is chosen here).</summary>
    public static async Task<(Process Process, TableServiceClient Service)> StartTablesAsync()
    {
        var entry = Path.Combine(ModuleUnderTest.RepoRoot, "tests", "Azurite", "node_modules", "azurite", "dist", "src", "table", "main.js");
        if (!File.Exists(entry)) throw new InvalidOperationException($"Azurite is not installed ({entry}); run ./build.ps1 -Task Test, which installs it with npm.");
        var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        probe.Start();
        var port = ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { entry, "--inMemoryPersistence", "--tableHost", "127.0.0.1", "--tablePort", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--skipApiVersionCheck", "--disableTelemetry" })
            start.ArgumentList.Add(argument);
        var process = Process.Start(start)!;
        var listening = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, line) => { if (line.Data?.Contains("successfully started", StringComparison.Ordinal) == true) listening.TrySetResult(); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await listening.Task.WaitAsync(TimeSpan.FromSeconds(30));
        return (process, new TableServiceClient($"DefaultEndpointsProtocol=http;AccountName={Account};AccountKey={Key};TableEndpoint=http://127.0.0.1:{port}/{Account};"));
    }

    /// <summary>A new table and its URL with a SAS for query, add, update and delete: what -JournalUri takes.</summary>
    public static async Task<Uri> NewTableAsync(TableServiceClient service)
    {
        var table = service.GetTableClient("jobs" + Guid.NewGuid().ToString("N")[..12]);
        await table.CreateIfNotExistsAsync();
        return table.GenerateSasUri(TableSasPermissions.Read | TableSasPermissions.Add | TableSasPermissions.Update | TableSasPermissions.Delete, DateTimeOffset.UtcNow.AddHours(2));
    }

    public ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false }) _process.Kill(entireProcessTree: true);
        _process?.Dispose();
        return ValueTask.CompletedTask;
    }
}
