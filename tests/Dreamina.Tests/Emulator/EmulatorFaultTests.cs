using System;
using System.Linq;
using System.Net.Http;
using System.Threading.Tasks;
using Dreamina.Emulator;
using Xunit;

namespace Dreamina.Tests.Emulator;

/// <summary>Each injected fault, switched on alone at rate 1.</summary>
public sealed class EmulatorFaultTests
{
    private static async Task<(RunComfyEmulator, ApiCaller)> WithFault(FaultKind kind, params EmulatorEndpoint[] endpoints)
    {
        var emulator = await RunComfyEmulator.StartAsync(new EmulatorOptions
        {
            TimeScale = 1.0 / 300,
            Faults = new FaultOptions { Rate = 1, Kinds = new[] { kind }, Endpoints = endpoints, MaxConsecutive = 1 },
        });
        return (emulator, new ApiCaller(emulator));
    }

    [Theory]
    [InlineData(FaultKind.TooManyRequestsSeconds)]
    [InlineData(FaultKind.TooManyRequestsDate)]
    public async Task Throttling_says_when_to_come_back(FaultKind kind)
    {
        var (emulator, api) = await WithFault(kind, EmulatorEndpoint.Status);
        await using var _ = emulator;
        var answer = await api.Status("anything");
        Assert.Equal(429, answer.Status);
        Assert.True(kind == FaultKind.TooManyRequestsSeconds ? answer.RetryAfter?.Delta is not null : answer.RetryAfter?.Date is not null);
        Assert.Equal(404, (await api.Status("anything")).Status); // the streak is capped: the next one is clean
    }

    [Theory]
    [InlineData(FaultKind.InternalServerError, 500)]
    [InlineData(FaultKind.BadGateway, 502)]
    [InlineData(FaultKind.ServiceUnavailable, 503)]
    public async Task Server_errors_are_injected_before_any_work(FaultKind kind, int status)
    {
        var (emulator, api) = await WithFault(kind, EmulatorEndpoint.Submit);
        await using var _ = emulator;
        Assert.Equal(status, (await api.Valid()).Status);
        Assert.Equal(0, emulator.JobCounts().Values.Sum());
    }

    [Fact]
    public async Task A_dropped_connection_loses_the_answer_after_the_job_was_created()
    {
        var (emulator, api) = await WithFault(FaultKind.DropConnection, EmulatorEndpoint.Submit);
        await using var _ = emulator;
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => api.Valid());
        Assert.Equal(1, emulator.JobCounts().Values.Sum());
    }

    [Fact]
    public async Task An_error_can_hide_inside_an_http_200()
    {
        var (emulator, api) = await WithFault(FaultKind.ErrorIn200, EmulatorEndpoint.Submit);
        await using var _ = emulator;
        var answer = await api.Valid();
        Assert.Equal(200, answer.Status);
        Assert.Equal("500000", answer.Text("error_code"));
    }

    [Fact]
    public async Task Status_can_report_a_word_nobody_documented()
    {
        var (emulator, api) = await WithFault(FaultKind.UnknownStatus, EmulatorEndpoint.Status);
        await using var _ = emulator;
        var id = await api.SubmitId();
        var answer = await api.Status(id);
        Assert.Equal("warming_up", answer.Text("status"));
    }

    [Fact]
    public async Task A_download_can_stop_short_of_its_content_length()
    {
        var (emulator, api) = await WithFault(FaultKind.TruncatedDownload, EmulatorEndpoint.Download);
        await using var _ = emulator;
        var video = (await api.Finished(await api.SubmitId())).Json.GetProperty("output").GetProperty("video").GetString();
        using var http = new HttpClient();
        await Assert.ThrowsAnyAsync<Exception>(async () => await (await http.GetAsync(video)).Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Slow_responses_are_slow_and_faults_are_counted()
    {
        var (emulator, api) = await WithFault(FaultKind.SlowResponse, EmulatorEndpoint.Status);
        await using var _ = emulator;
        emulator.Options.Faults.SlowDelay = TimeSpan.FromMilliseconds(200);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await api.Status("x");
        Assert.True(clock.ElapsedMilliseconds >= 190);
        Assert.Equal(1, emulator.Stats.FaultsInjected);
    }

    [Fact]
    public async Task The_same_seed_gives_the_same_faults()
    {
        async Task<string> Pattern()
        {
            var emulator = await RunComfyEmulator.StartAsync(new EmulatorOptions
            {
                Faults = new FaultOptions { Seed = 7, Rate = 0.5, Kinds = new[] { FaultKind.InternalServerError }, MaxConsecutive = 10 },
            });
            await using var _ = emulator;
            using var api = new ApiCaller(emulator);
            var statuses = new int[20];
            for (var i = 0; i < 20; i++) statuses[i] = (await api.Status("x")).Status;
            return string.Join(",", statuses);
        }
        var first = await Pattern();
        Assert.Equal(first, await Pattern());
        Assert.Contains("500", first);
        Assert.Contains("404", first);
    }
}
