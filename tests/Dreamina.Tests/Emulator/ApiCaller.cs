using System;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Threading.Tasks;
using Dreamina.Emulator;

namespace Dreamina.Tests.Emulator;

/// <summary>Talks to the emulator the way curl would: raw HTTP, to check the contract itself.</summary>
public sealed class ApiCaller(RunComfyEmulator emulator, string? token = null) : IDisposable
{
    private readonly HttpClient _http = new(new HttpClientHandler { AllowAutoRedirect = false });

    public const string SubmitPath = "v1/models/bytedance/dreamina-3-0/pro/image-to-video";

    public string Token { get; init; } = token ?? emulator.Token;

    public Task<Answer> Submit(object body) => Send(HttpMethod.Post, SubmitPath, JsonSerializer.Serialize(body));

    public Task<Answer> SubmitRaw(string body) => Send(HttpMethod.Post, SubmitPath, body);

    public Task<Answer> Valid(string prompt = "a slow pan", int frames = 121)
        => Submit(new { prompt, image_urls = new[] { emulator.SampleImage("street.png").AbsoluteUri }, frames });

    public async Task<string> SubmitId(string prompt = "a slow pan")
    {
        var answer = await Valid(prompt);
        return answer.Json.GetProperty("request_id").GetString()!;
    }

    public Task<Answer> Status(string id) => Send(HttpMethod.Get, $"v1/requests/{id}/status", null);
    public Task<Answer> Result(string id) => Send(HttpMethod.Get, $"v1/requests/{id}/result", null);
    public Task<Answer> Cancel(string id) => Send(HttpMethod.Post, $"v1/requests/{id}/cancel", "");

    public async Task<Answer> Send(HttpMethod method, string path, string? body, bool authorize = true)
    {
        using var request = new HttpRequestMessage(method, new Uri(emulator.BaseUri, path));
        if (authorize) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        if (body is not null) request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await _http.SendAsync(request);
        return new Answer((int)response.StatusCode, await response.Content.ReadAsStringAsync(), response.Headers.RetryAfter, response.Content.Headers.ContentType?.MediaType);
    }

    /// <summary>Polls until the job's /result is terminal (the emulator's clock is scaled, so this is quick).</summary>
    public async Task<Answer> Finished(string id)
    {
        for (var i = 0; i < 400; i++)
        {
            var result = await Result(id);
            if (result.Json.GetProperty("status").GetString() is "succeeded" or "failed" or "cancelled") return result;
            await Task.Delay(25);
        }
        throw new TimeoutException($"Job {id} did not finish.");
    }

    public void Dispose() => _http.Dispose();
}

public sealed record Answer(int Status, string Body, RetryConditionHeaderValue? RetryAfter, string? MediaType)
{
    public JsonElement Json => JsonDocument.Parse(Body).RootElement;
    public string? Text(string name) => Json.TryGetProperty(name, out var v) ? v.ToString() : null;
}
