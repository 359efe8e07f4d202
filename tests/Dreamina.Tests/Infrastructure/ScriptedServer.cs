using System;
using System.Linq;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Dreamina.Tests.Infrastructure;

/// <summary>A loopback server that answers every request with whatever a test scripts: for hostile and broken services.</summary>
public sealed class ScriptedServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _requests;
    private int _authorized;

    private ScriptedServer(WebApplication app) => _app = app;

    public Uri BaseUri { get; private set; } = null!;
    public int Requests => Volatile.Read(ref _requests);
    public int RequestsWithAuthorization => Volatile.Read(ref _authorized);
    public Func<HttpContext, Task> Handler { get; set; } = http => { http.Response.StatusCode = 404; return Task.CompletedTask; };

    public static async Task<ScriptedServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var server = new ScriptedServer(app);
        app.Run(http =>
        {
            Interlocked.Increment(ref server._requests);
            if (http.Request.Headers.ContainsKey("Authorization")) Interlocked.Increment(ref server._authorized);
            return server.Handler(http);
        });
        await app.StartAsync();
        server.BaseUri = new Uri(app.Urls.First());
        return server;
    }

    public static Func<HttpContext, Task> Answer(int status, string body, string contentType = "application/json")
        => async http =>
        {
            http.Response.StatusCode = status;
            http.Response.ContentType = contentType;
            await http.Response.WriteAsync(body);
        };

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
