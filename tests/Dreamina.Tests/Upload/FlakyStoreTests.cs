using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Dreamina.Emulator;
using Dreamina.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Xunit;

namespace Dreamina.Tests.Upload;

/// <summary>An image store that fails the way storage does (5xx, 429, cut connections): retried within the policy, and nothing submitted for an image whose upload did not complete.</summary>
public sealed class FlakyStoreTests : IAsyncLifetime
{
    private RunComfyEmulator _emulator = null!;
    private ScriptedServer _store = null!;
    private PowerShellHost _host = null!;
    private string _image = null!;
    private byte[]? _stored;
    private int _puts;

    public async Task InitializeAsync()
    {
        _emulator = await RunComfyEmulator.StartAsync(EmulatorFixture.FastOptions());
        _store = await ScriptedServer.StartAsync();
        _host = new PowerShellHost(_emulator);
        _host.UseFastRetries(maxRetries: 3);
        _image = Path.Combine(_host.WorkDirectory, "street.png");
        File.WriteAllBytes(_image, SampleImages.Png(1280, 720));
    }

    public async Task DisposeAsync()
    {
        _host.Dispose();
        await _store.DisposeAsync();
        await _emulator.DisposeAsync();
    }

    // A container that answers HEAD and GET from what was stored, and PUT as each test says.
    private void Serve(Func<int, HttpContext, Task<bool>> put) => _store.Handler = async http =>
    {
        if (HttpMethods.IsPut(http.Request.Method))
        {
            var attempt = Interlocked.Increment(ref _puts);
            using var body = new MemoryStream();
            await http.Request.Body.CopyToAsync(body);
            if (await put(attempt, http))
            {
                _stored = body.ToArray();
                http.Response.StatusCode = 201;
            }
            return;
        }
        if (_stored is null)
        {
            http.Response.StatusCode = 404;
            return;
        }
        http.Response.ContentLength = _stored.Length;
        if (HttpMethods.IsGet(http.Request.Method)) await http.Response.Body.WriteAsync(_stored);
    };

    private ScriptRun Submit() => _host.Run("Connect-Dreamina -ImageStore $store > $null; Start-DreaminaVideo -Prompt 'p' -LiteralPath $image", new Dictionary<string, object?>
    {
        ["store"] = new Uri(_store.BaseUri, "container?sv=2023-11-03&sp=rcw&sig=c2lnbmF0dXJl").AbsoluteUri,
        ["image"] = _image,
    });

    [Fact]
    public void Failed_uploads_are_retried_and_the_job_is_submitted_once_the_image_is_there()
    {
        Serve((attempt, http) =>
        {
            if (attempt == 1) http.Response.StatusCode = 503;
            if (attempt == 2) http.Response.StatusCode = 429;
            return Task.FromResult(attempt > 2);
        });
        var job = Assert.Single(Submit().ThrowOnError().Objects<DreaminaJob>());
        Assert.Equal(3, _puts);
        Assert.Equal(File.ReadAllBytes(_image), _stored);
        Assert.Equal(1, _emulator.Stats.Requests(EmulatorEndpoint.Submit));
        Assert.Equal("", job.ImageUri!.Query);
    }

    [Fact]
    public void An_upload_cut_off_every_time_ends_in_an_error_and_no_submission()
    {
        Serve((_, http) =>
        {
            http.Abort();
            return Task.FromResult(false);
        });
        var error = Assert.Single(Submit().Errors);
        Assert.Equal(ErrorIds.UploadFailed, error.FullyQualifiedErrorId.Split(',')[0]);
        Assert.Contains("nothing was submitted", error.Exception.Message);
        Assert.Equal(4, _puts); // the first try and three retries
        Assert.Equal(0, _emulator.Stats.Requests(EmulatorEndpoint.Submit));
    }
}
