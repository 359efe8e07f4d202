using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Azure.Storage.Sas;
using Dreamina.Emulator;
using Dreamina.Tests.Infrastructure;
using Xunit;

namespace Dreamina.Tests.Upload;

/// <summary>
/// Local images through the user's own Azure Blob container, against Azurite: checked from disk, uploaded once by
/// content, fetched by the service with the SAS, and the SAS never shown.
/// </summary>
public sealed class AzureBlobUploadTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>, IAsyncLifetime
{
    private RunComfyEmulator _emulator = null!;
    private PowerShellHost _host = null!;
    private string _shots = null!;

    public async Task InitializeAsync()
    {
        _emulator = await RunComfyEmulator.StartAsync(EmulatorFixture.FastOptions());
        _host = new PowerShellHost(_emulator);
        _host.UseFastRetries();
        _shots = Directory.CreateDirectory(Path.Combine(_host.WorkDirectory, "shots")).FullName;
        File.WriteAllBytes(Path.Combine(_shots, "street.png"), SampleImages.Png(1280, 720));
        File.WriteAllBytes(Path.Combine(_shots, "portrait.jpg"), SampleImages.JpegHeader(768, 1024, exifBytes: 300_000));
        File.WriteAllBytes(Path.Combine(_shots, "same-as-street.png"), SampleImages.Png(1280, 720));
    }

    public async Task DisposeAsync()
    {
        _host.Dispose();
        await _emulator.DisposeAsync();
    }

    private ScriptRun Run(string script, Uri store) => _host.Run($"Connect-Dreamina -ImageStore $store > $null; {script}", new Dictionary<string, object?> { ["store"] = store.AbsoluteUri, ["shots"] = _shots });

    private const string Folder = "[System.IO.DirectoryInfo]::new($shots).GetFiles()";

    [Fact]
    public async Task A_folder_of_images_becomes_saved_videos_each_image_uploaded_once_by_its_content()
    {
        var (container, store) = await azurite.NewContainerAsync();
        var run = Run($"{Folder} | Start-DreaminaVideo -Prompt 'slow dolly-in' | Wait-DreaminaJob -PollInterval 0.05 | Save-DreaminaVideo -Directory ./clips", store).ThrowOnError();

        Assert.Equal(3, run.Objects<FileInfo>().Count());
        Assert.All(run.Objects<FileInfo>(), f => Assert.Equal(_emulator.ExpectedVideoBytes(), File.ReadAllBytes(f.FullName)));
        var blobs = container.GetBlobs().Select(b => b.Name).OrderBy(n => n).ToList();
        Assert.Equal(2, blobs.Count); // two files share their content
        Assert.All(blobs, name => Assert.Matches("^[0-9a-f]{64}\\.(png|jpg)$", name));
        var jobs = _host.Run("Get-DreaminaJob").ThrowOnError().Objects<DreaminaJob>().ToList();
        Assert.Equal(3, jobs.Count);
        Assert.All(jobs, j =>
        {
            Assert.Equal(container.Uri.AbsoluteUri, j.ImageUri!.AbsoluteUri[..j.ImageUri.AbsoluteUri.LastIndexOf('/')]);
            Assert.Equal("", j.ImageUri.Query);
            Assert.StartsWith(_shots, j.ImagePath);
            Assert.Matches("^[0-9a-f]{64}$", j.ImageHash);
        });

        // The same batch again uploads nothing new: each blob is found by its name.
        var before = container.GetBlobs().Select(b => (b.Name, b.Properties.LastModified)).ToList();
        var again = Run($"{Folder} | Start-DreaminaVideo -Prompt 'again' -Verbose", store).ThrowOnError();
        Assert.Equal(3, again.Objects<DreaminaJob>().Count());
        Assert.Equal(before, container.GetBlobs().Select(b => (b.Name, b.Properties.LastModified)).ToList());
        Assert.Contains(again.Verbose, v => v.Message.Contains("already in the image store"));
    }

    [Fact]
    public async Task The_SAS_appears_in_no_stream_object_error_or_file()
    {
        var (_, store) = await azurite.NewContainerAsync();
        var signature = System.Web.HttpUtility.ParseQueryString(store.Query)["sig"]!;
        File.WriteAllBytes(Path.Combine(_shots, "wide.png"), SampleImages.Png(1500, 400));
        var run = Run($"$VerbosePreference = 'Continue'; $DebugPreference = 'Continue'; {Folder} | Start-DreaminaVideo -Prompt 'p' | Wait-DreaminaJob -PollInterval 0.05 | Save-DreaminaVideo -Directory ./clips; Get-DreaminaConnection | Format-List | Out-String; Get-DreaminaJob | Format-List * | Out-String", store);

        Assert.NotEmpty(run.Errors);
        Assert.Contains(store.GetLeftPart(UriPartial.Path), run.AllText());
        Assert.DoesNotContain(signature, run.AllText());
        Assert.DoesNotContain(Uri.EscapeDataString(signature), run.AllText());
        foreach (var file in Directory.GetFiles(_host.WorkDirectory, "*", SearchOption.AllDirectories).Where(f => !f.EndsWith(".mp4") && !f.Contains("shots")))
        {
            var text = File.ReadAllText(file);
            Assert.DoesNotContain(signature, text);
            Assert.DoesNotContain(Uri.EscapeDataString(signature), text);
        }
    }

    [Fact]
    public async Task A_SAS_that_expires_during_a_run_is_an_error_per_image_that_says_so_never_names_the_SAS_and_submits_nothing()
    {
        var (_, store) = await azurite.NewContainerAsync(expiresIn: TimeSpan.FromSeconds(2));
        _host.Run("Connect-Dreamina -ImageStore $store > $null", new Dictionary<string, object?> { ["store"] = store.AbsoluteUri }).ThrowOnError();
        await Task.Delay(TimeSpan.FromSeconds(3));
        var run = _host.Run($"{Folder} | Start-DreaminaVideo -Prompt 'p'", new Dictionary<string, object?> { ["shots"] = _shots });
        AssertRefusedWithoutTheSas(run, store, ErrorIds.UploadRefused, "expired at", count: 3);
    }

    [Fact]
    public async Task A_SAS_for_another_container_is_an_error_per_image_that_says_so()
    {
        var (_, store) = await azurite.NewContainerAsync();
        var (other, _) = await azurite.NewContainerAsync();
        var mixed = new Uri(other.Uri.AbsoluteUri + store.Query); // this container's path, the other's signature
        AssertRefusedWithoutTheSas(Run($"{Folder} | Start-DreaminaVideo -Prompt 'p'", mixed), mixed, ErrorIds.UploadRefused, "another container", count: 3);
    }

    [Theory]
    [InlineData("expired", "expired at")]
    [InlineData("read only", "does not grant create (c), write (w)")]
    public async Task Connect_Dreamina_refuses_a_SAS_that_cannot_work_and_says_why(string what, string says)
    {
        var (_, store) = what == "expired"
            ? await azurite.NewContainerAsync(expiresIn: TimeSpan.FromMinutes(-5))
            : await azurite.NewContainerAsync(BlobContainerSasPermissions.Read);
        AssertRefusedWithoutTheSas(Run("'connected'", store), store, ErrorIds.ImageStoreInvalid, says, count: 1);
    }

    private void AssertRefusedWithoutTheSas(ScriptRun run, Uri store, string errorId, string says, int count)
    {
        Assert.Equal(count, run.Errors.Count);
        Assert.All(run.Errors, e => Assert.Equal(errorId, e.FullyQualifiedErrorId.Split(',')[0]));
        Assert.Contains(says, run.Errors[0].Exception.Message);
        Assert.DoesNotContain(System.Web.HttpUtility.ParseQueryString(store.Query)["sig"]!, run.AllText());
        Assert.Equal(0, _emulator.Stats.Requests(EmulatorEndpoint.Submit));
    }

    public static TheoryData<string, string> BadFiles() => new()
    {
        { "too-heavy.png", ErrorIds.ImageFileTooLarge },
        { "gif.png", ErrorIds.ImageFormatUnsupported },
        { "missing.png", ErrorIds.ImageFileNotFound },
        { "a-folder", ErrorIds.ImagePathIsDirectory },
        { "tiny.png", ErrorIds.ImageTooSmall },
    };

    [Theory]
    [MemberData(nameof(BadFiles))]
    public async Task A_file_the_service_would_reject_is_an_error_and_nothing_is_uploaded_or_submitted(string name, string errorId)
    {
        var (container, store) = await azurite.NewContainerAsync();
        var path = Path.Combine(_shots, name);
        switch (name)
        {
            case "too-heavy.png": File.WriteAllBytes(path, SampleImages.Png(1024, 768, paddingBytes: 4_800_000)); break;
            case "gif.png": File.WriteAllText(path, "GIF89a not what it says"); break;
            case "a-folder": Directory.CreateDirectory(path); break;
            case "tiny.png": File.WriteAllBytes(path, SampleImages.Png(200, 200)); break;
        }
        var run = Run($"Start-DreaminaVideo -Prompt 'p' -LiteralPath '{path}'", store);

        var error = Assert.Single(run.Errors);
        Assert.Equal(errorId, error.FullyQualifiedErrorId.Split(',')[0]);
        Assert.Contains(name, error.Exception.Message);
        Assert.Empty(container.GetBlobs());
        Assert.Equal(0, _emulator.Stats.Requests(EmulatorEndpoint.Submit));
    }
}
