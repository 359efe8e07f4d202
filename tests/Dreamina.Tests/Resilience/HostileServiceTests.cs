using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Dreamina.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Xunit;

namespace Dreamina.Tests.Resilience;

/// <summary>
/// A broken or hostile service: every answer becomes an ErrorRecord with the expected id and a readable
/// message, never a .NET stack trace, a hang, or the token.
/// </summary>
public sealed class HostileServiceTests : IAsyncLifetime
{
    private const string Token = "hostile-test-token-8f2b";
    private ScriptedServer _service = null!;
    private ScriptedServer _elsewhere = null!;

    public async Task InitializeAsync()
    {
        _service = await ScriptedServer.StartAsync();
        _elsewhere = await ScriptedServer.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _service.DisposeAsync();
        await _elsewhere.DisposeAsync();
    }

    private const string Submit = "Start-DreaminaVideo -Prompt p -ImageUri https://images.example/a.png -SkipImageCheck";
    private const string Status = "Get-DreaminaStatus -RequestId job-1";

    public static TheoryData<string, string, string, string?> Cases() => new()
    {
        // name, command, expected error id (or "none"), text the message must contain
        { "200 that is not JSON", Submit, ErrorIds.SubmitOutcomeUnknown, "not a JSON object" },
        { "200 without request_id", Submit, ErrorIds.SubmitOutcomeUnknown, "request_id" },
        { "200 status without status", Status, ErrorIds.ProtocolError, "'status'" },
        { "enormous body without a length", Status, ErrorIds.ProtocolError, "larger than" },
        { "enormous body with its length", Status, ErrorIds.ProtocolError, "larger than" },
        { "HTTP 200 carrying error_code 400004", Status, ErrorIds.AuthenticationFailed, "Connect-Dreamina -Token" },
        { "redirect to another host", Submit, ErrorIds.ProtocolError, "Redirects are not followed" },
        { "401 in plain text", Status, ErrorIds.AuthenticationFailed, "Unauthorized" },
        { "403 with 403001", Status, ErrorIds.RequestForbidden, "another RunComfy user" },
        { "404 FastAPI detail string", Status, ErrorIds.RequestNotFound, "Not Found" },
        { "402 with 400002", Submit, ErrorIds.InsufficientBalance, "Top it up" },
        { "422 FastAPI detail list", Submit, ErrorIds.InputRejected, "image_urls.0: bad url" },
        { "400 with an error object", Submit, ErrorIds.InputRejected, "prompt is unsafe" },
        { "503 HTML page", Status, ErrorIds.ServiceUnavailable, "Service Temporarily Unavailable" },
        { "500 with broken JSON", Status, ErrorIds.ServiceUnavailable, "HTTP 500" },
        { "answer cut off mid-body", Status, ErrorIds.ConnectionFailed, "connection" },
        { "a submit answer cut off mid-body", Submit, ErrorIds.SubmitOutcomeUnknown, "billed twice" },
        { "error message echoing the token", Status, ErrorIds.AuthenticationFailed, "***" },
        { "unknown status word", Status, "none", null },
        { "result with a video on a foreign host", "Get-DreaminaStatus -RequestId job-1 | Save-DreaminaVideo", ErrorIds.DownloadHostRefused, "-AllowedHost" },
        { "result with a plain-http video", "Get-DreaminaStatus -RequestId job-1 | Save-DreaminaVideo", ErrorIds.DownloadHostRefused, "not HTTPS" },
        { "result with a relative video path", "Get-DreaminaStatus -RequestId job-1 | Save-DreaminaVideo", ErrorIds.NoVideo, "lists no video" },
        { "result with a script link for a video", "Get-DreaminaStatus -RequestId job-1 | Save-DreaminaVideo", ErrorIds.DownloadHostRefused, "javascript: address" },
    };

    private Func<HttpContext, Task> Script(string name) => name switch
    {
        "200 that is not JSON" => ScriptedServer.Answer(200, "<html>hello</html>", "text/html"),
        "200 without request_id" => ScriptedServer.Answer(200, """{"status_url":"x"}"""),
        "200 status without status" => ScriptedServer.Answer(200, """{"request_id":"job-1"}"""),
        "enormous body without a length" => async http =>
        {
            http.Response.StatusCode = 200;
            var chunk = new byte[64 * 1024];
            for (var i = 0; i < 40; i++) await http.Response.Body.WriteAsync(chunk);
        },
        "enormous body with its length" => async http =>
        {
            // Announce 50 MB, send 1 KB and hold the line: a client that reads on would hang until its timeout.
            http.Response.ContentLength = 50_000_000;
            await http.Response.Body.WriteAsync(new byte[1024]);
            await http.Response.Body.FlushAsync();
            try { await Task.Delay(TimeSpan.FromSeconds(30), http.RequestAborted); }
            catch (OperationCanceledException) { }
        },
        "HTTP 200 carrying error_code 400004" => ScriptedServer.Answer(200, """{"error_code":400004,"error_message":"token revoked"}"""),
        "redirect to another host" => http =>
        {
            http.Response.StatusCode = 307;
            http.Response.Headers.Location = new Uri(_elsewhere.BaseUri, "steal").AbsoluteUri;
            return Task.CompletedTask;
        },
        "401 in plain text" => ScriptedServer.Answer(401, "Unauthorized", "text/plain"),
        "403 with 403001" => ScriptedServer.Answer(403, """{"error_code":403001,"error_message":"not yours"}"""),
        "404 FastAPI detail string" => ScriptedServer.Answer(404, """{"detail":"Not Found"}"""),
        "402 with 400002" => ScriptedServer.Answer(402, """{"error_code":400002,"error_message":"insufficient balance"}"""),
        "422 FastAPI detail list" => ScriptedServer.Answer(422, """{"detail":[{"loc":["body","image_urls",0],"msg":"bad url","type":"value_error"}]}"""),
        "400 with an error object" => ScriptedServer.Answer(400, """{"error":{"code":"unsafe","message":"prompt is unsafe"}}"""),
        "503 HTML page" => ScriptedServer.Answer(503, "<html><head><title>503 Service Temporarily Unavailable</title></head></html>", "text/html"),
        "500 with broken JSON" => ScriptedServer.Answer(500, """{"error": "trunc"""),
        "answer cut off mid-body" or "a submit answer cut off mid-body" => async http =>
        {
            http.Response.ContentLength = 200;
            await http.Response.WriteAsync("""{"request_id":"job-1",""");
            await http.Response.Body.FlushAsync();
            http.Abort();
        },
        "error message echoing the token" => ScriptedServer.Answer(401, $$"""{"error_code":400004,"error_message":"token {{Token}} is revoked"}"""),
        "unknown status word" => ScriptedServer.Answer(200, """{"request_id":"job-1","status":"warming_up"}"""),
        "result with a video on a foreign host" => Finished("https://evil.example.net/v.mp4"),
        "result with a plain-http video" => Finished("http://playgrounds-storage-public.runcomfy.net/v.mp4"),
        "result with a relative video path" => Finished("videos/relative.mp4"),
        "result with a script link for a video" => Finished("javascript:alert(1)"),
        _ => throw new ArgumentException(name),
    };

    private static Func<HttpContext, Task> Finished(string video) => http =>
        http.Request.Path.Value!.EndsWith("/status")
            ? ScriptedServer.Answer(200, """{"request_id":"job-1","status":"completed"}""")(http)
            : ScriptedServer.Answer(200, $$$"""{"request_id":"job-1","status":"succeeded","output":{"video":"{{{video}}}"}}""")(http);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Each_broken_answer_becomes_a_clear_error(string name, string command, string errorId, string? mentions)
    {
        _service.Handler = Script(name);
        using var host = new PowerShellHost(null);
        host.Run($"Connect-Dreamina -BaseUri '{_service.BaseUri}' -AccountUri '{_service.BaseUri}' -Token ([System.Net.NetworkCredential]::new('', '{Token}').SecurePassword) -JournalPath '{host.JournalPath}' -MaxRetries 1 -TimeoutSec 5 > $null").ThrowOnError();
        host.UseFastRetries(maxRetries: 1);

        var run = host.Run(command);

        if (errorId == "none")
        {
            Assert.Empty(run.Errors);
            Assert.Equal(JobStatus.Unknown, run.Objects<DreaminaJob>().Single().Status);
            return;
        }
        var error = Assert.Single(run.Errors);
        Assert.Equal(errorId, error.FullyQualifiedErrorId.Split(',')[0]);
        Assert.Contains(mentions!, error.Exception.Message);
        Assert.DoesNotContain("   at ", error.Exception.Message);
        Assert.DoesNotContain(Token, run.AllText());
        Assert.Equal(0, _elsewhere.Requests);
    }
}
