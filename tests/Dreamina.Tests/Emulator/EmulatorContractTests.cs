using System;
using System.Linq;
using System.Net.Http;
using System.Text.Json;
using System.Threading.Tasks;
using Dreamina.Emulator;
using Xunit;

namespace Dreamina.Tests.Emulator;

/// <summary>The four endpoints, auth and the input schema, exactly as the contract states them.</summary>
public sealed class EmulatorContractTests : IAsyncLifetime
{
    private RunComfyEmulator _emulator = null!;
    private ApiCaller _api = null!;

    public async Task InitializeAsync()
    {
        _emulator = await RunComfyEmulator.StartAsync(new EmulatorOptions { TimeScale = 1.0 / 300 });
        _api = new ApiCaller(_emulator);
    }

    public async Task DisposeAsync()
    {
        _api.Dispose();
        await _emulator.DisposeAsync();
    }

    [Fact]
    public async Task Submit_answers_with_absolute_urls_for_status_result_and_cancel()
    {
        var answer = await _api.Valid();
        Assert.Equal(200, answer.Status);
        var id = answer.Text("request_id")!;
        foreach (var (field, suffix) in new[] { ("status_url", "/status"), ("result_url", "/result"), ("cancel_url", "/cancel") })
        {
            var url = new Uri(answer.Text(field)!);
            Assert.True(url.IsAbsoluteUri);
            Assert.Equal($"{_emulator.BaseUri}v1/requests/{id}{suffix}", url.AbsoluteUri);
        }
    }

    [Fact]
    public async Task A_job_goes_from_queue_to_progress_to_success_with_a_video_on_another_origin()
    {
        var id = await _api.SubmitId();
        Assert.Contains((await _api.Status(id)).Text("status"), new[] { "in_queue", "in_progress" });
        var result = await _api.Finished(id);
        Assert.Equal("succeeded", result.Text("status"));
        var video = new Uri(result.Json.GetProperty("output").GetProperty("video").GetString()!);
        Assert.NotEqual(_emulator.BaseUri.Port, video.Port);
        Assert.Equal("completed", (await _api.Status(id)).Text("status"));
        Assert.False((await _api.Status(id)).Json.TryGetProperty("queue_position", out _));
        Assert.NotNull(result.Text("finished_at"));
    }

    [Fact]
    public async Task An_inline_image_is_decoded_and_checked_like_a_fetched_one_and_can_be_refused()
    {
        string DataUri(byte[] image) => "data:image/png;base64," + Convert.ToBase64String(image);
        var good = await _api.Submit(new { prompt = "p", image_urls = new[] { DataUri(SampleImages.Png(1280, 720)) } });
        Assert.Equal(200, good.Status);
        var job = Assert.Single(_emulator.Jobs());
        Assert.Equal(Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(SampleImages.Png(1280, 720))).ToLowerInvariant(), job.InlineImageSha256);
        Assert.Equal(400, (await _api.Submit(new { prompt = "p", image_urls = new[] { DataUri(SampleImages.Png(200, 200)) } })).Status);

        _emulator.Options.RefuseInlineImages = true;
        var refused = await _api.Submit(new { prompt = "p", image_urls = new[] { DataUri(SampleImages.Png(1280, 720)) } });
        Assert.Equal(422, refused.Status);
        Assert.Contains("image_urls", refused.Body);
    }

    [Fact]
    public async Task A_finished_result_says_its_cost_when_asked_and_names_its_model()
    {
        var id = await _api.SubmitId();
        await _api.Finished(id);
        Assert.False((await _api.Result(id)).Json.TryGetProperty("cost", out _));
        var withCost = await _api.Send(HttpMethod.Get, $"v1/requests/{id}/result?include_cost=true", null);
        Assert.Equal(0.5m, withCost.Json.GetProperty("cost").GetDecimal());
        Assert.Equal(RunComfyEmulator.ModelId, withCost.Text("model_id"));
        _emulator.Options.OmitCost = true;
        Assert.False((await _api.Send(HttpMethod.Get, $"v1/requests/{id}/result?include_cost=true", null)).Json.TryGetProperty("cost", out _));
    }

    [Fact]
    public async Task Result_of_an_unfinished_job_has_its_state_and_no_output()
    {
        _emulator.Options.QueueDelay = TimeSpan.FromHours(1);
        var id = await _api.SubmitId();
        var result = await _api.Result(id);
        Assert.Equal("in_queue", result.Text("status"));
        Assert.False(result.Json.TryGetProperty("output", out _));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("wrong-token")]
    public async Task A_missing_or_wrong_token_gets_the_documented_auth_error(string? token)
    {
        using var caller = new ApiCaller(_emulator, token ?? "");
        var answer = token is null
            ? await caller.Send(HttpMethod.Get, "v1/requests/x/status", null, authorize: false)
            : await caller.Valid();
        Assert.Equal(400, answer.Status);
        Assert.Equal("400004", answer.Text("error_code"));
    }

    [Fact]
    public async Task Unknown_request_is_404001_and_another_users_request_is_403001()
    {
        Assert.Equal("404001", (await _api.Status("no-such-id")).Text("error_code"));
        var id = await _api.SubmitId();
        using var other = new ApiCaller(_emulator, EmulatorOptions.SecondToken);
        var answer = await other.Result(id);
        Assert.Equal(403, answer.Status);
        Assert.Equal("403001", answer.Text("error_code"));
    }

    [Fact]
    public async Task Conventional_status_style_makes_a_bad_token_401()
    {
        _emulator.Options.ErrorStatusStyle = ErrorStatusStyle.Conventional;
        using var caller = new ApiCaller(_emulator, "wrong");
        Assert.Equal(401, (await caller.Status("x")).Status);
    }

    [Fact]
    public async Task Another_model_id_is_400001()
    {
        var answer = await _api.Send(HttpMethod.Post, "v1/models/someone/else", "{}");
        Assert.Equal("400001", answer.Text("error_code"));
        var info = await _api.Send(HttpMethod.Get, ApiCaller.SubmitPath, null);
        Assert.Equal(200, info.Status);
        Assert.Equal(RunComfyEmulator.ModelId, info.Text("model_id"));
    }

    public static TheoryData<string, int, string> SchemaViolations() => new()
    {
        { """{"image_urls":["IMG"]}""", 422, "prompt" },
        { """{"prompt":5,"image_urls":["IMG"]}""", 422, "prompt" },
        { $$"""{"prompt":"{{new string('a', 801)}}","image_urls":["IMG"]}""", 422, "prompt" },
        { """{"prompt":"p"}""", 422, "image_urls" },
        { """{"prompt":"p","image_urls":[]}""", 422, "image_urls" },
        { """{"prompt":"p","image_urls":["IMG","IMG"]}""", 422, "image_urls" },
        { """{"prompt":"p","image_urls":"IMG"}""", 422, "image_urls" },
        { """{"prompt":"p","image_urls":[7]}""", 422, "image_urls" },
        { """{"prompt":"p","image_urls":["IMG"],"frames":120}""", 422, "frames" },
        { """{"prompt":"p","image_urls":["IMG"],"frames":"121"}""", 422, "frames" },
        { """{"prompt":"p","image_urls":["IMG"],"seed":1.5}""", 422, "seed" },
        { """{"prompt":"p","image_urls":["IMG"],"seed":"7"}""", 422, "seed" },
        { """{"prompt":"p","image_urls":["http://127.0.0.1:1/none.png"]}""", 400, "image_urls" },
        { """[1,2]""", 422, "body" },
        { """{"prompt": "unterminated""", 400, "JSON" },
    };

    [Theory]
    [MemberData(nameof(SchemaViolations))]
    public async Task Each_schema_rule_is_enforced_with_a_4xx_that_names_the_field(string body, int status, string named)
    {
        var answer = await _api.SubmitRaw(body.Replace("IMG", _emulator.SampleImage("street.png").AbsoluteUri));
        Assert.Equal(status, answer.Status);
        Assert.Contains(named, answer.Body);
        Assert.Equal(0, _emulator.JobCounts().Values.Sum());
    }

    [Theory]
    [InlineData("too-small.png", "at least 320")]
    [InlineData("too-large.png", "4096")]
    [InlineData("too-wide.png", "3:1")]
    [InlineData("too-heavy.png", "4.7 MB")]
    [InlineData("not-an-image.png", "JPEG or PNG")]
    public async Task Each_image_rule_is_checked_by_content_and_named(string sample, string rule)
    {
        var answer = await _api.Submit(new { prompt = "p", image_urls = new[] { _emulator.SampleImage(sample).AbsoluteUri } });
        Assert.Equal(400, answer.Status);
        Assert.Contains(rule, answer.Body);
    }

    [Fact]
    public async Task A_jpeg_and_the_800_character_boundary_are_accepted()
    {
        var answer = await _api.Submit(new { prompt = new string('é', 800), image_urls = new[] { _emulator.SampleImage("portrait.jpg").AbsoluteUri }, seed = 42, frames = 241 });
        Assert.Equal(200, answer.Status);
    }

    [Fact]
    public async Task Non_loopback_images_are_refused_unless_remote_images_are_accepted()
    {
        var body = new { prompt = "p", image_urls = new[] { "https://example.com/street.jpg" } };
        Assert.Equal(400, (await _api.Submit(body)).Status);
        _emulator.Options.AcceptRemoteImages = true;
        Assert.Equal(200, (await _api.Submit(body)).Status);
    }

    [Fact]
    public async Task A_huge_body_gets_a_json_413_not_a_hang_or_500()
    {
        // Over the 64 MiB a request with inline media may carry.
        var answer = await _api.SubmitRaw("{\"prompt\":\"" + new string('x', 64 * 1024 * 1024 + 1024) + "\"}");
        Assert.Equal(413, answer.Status);
        Assert.Equal("application/json", answer.MediaType);
    }

    [Fact]
    public async Task Every_error_body_shape_can_be_chosen()
    {
        foreach (var shape in Enum.GetValues<ErrorShape>())
        {
            _emulator.Options.ErrorShape = shape;
            var answer = await _api.Status("missing");
            Assert.Equal(404, answer.Status);
            Assert.Contains("does not exist", answer.Body);
            switch (shape)
            {
                case ErrorShape.Natural or ErrorShape.ErrorCode: Assert.Equal("404001", answer.Text("error_code")); break;
                case ErrorShape.Message: Assert.NotNull(answer.Text("message")); break;
                case ErrorShape.ErrorString: Assert.Equal(JsonValueKind.String, answer.Json.GetProperty("error").ValueKind); break;
                case ErrorShape.ErrorObject: Assert.Equal(JsonValueKind.Object, answer.Json.GetProperty("error").ValueKind); break;
                case ErrorShape.DetailList: Assert.Equal(JsonValueKind.Array, answer.Json.GetProperty("detail").ValueKind); break;
                case ErrorShape.DetailString: Assert.Equal(JsonValueKind.String, answer.Json.GetProperty("detail").ValueKind); break;
                case ErrorShape.PlainText: Assert.Equal("text/plain", answer.MediaType); break;
            }
        }
    }
}
