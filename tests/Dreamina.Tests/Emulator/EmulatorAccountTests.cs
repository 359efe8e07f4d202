using System;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Threading.Tasks;
using Dreamina.Emulator;
using Xunit;

namespace Dreamina.Tests.Emulator;

/// <summary>The model's price, the account's balance on its own origin, and what jobs take off it.</summary>
public sealed class EmulatorAccountTests
{
    private static async Task<JsonElement> Get(Uri uri, string token)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    [Theory]
    [InlineData("0.5", "request", 0.5, "request")]
    [InlineData("0.1", "second", 0.1, "second")]
    public async Task The_model_info_carries_its_price_and_unit(string price, string unit, double expectedPrice, string expectedUnit)
    {
        await using var emulator = await RunComfyEmulator.StartAsync(new EmulatorOptions { PriceUsd = decimal.Parse(price, System.Globalization.CultureInfo.InvariantCulture), PriceUnit = unit });
        var info = await Get(new Uri(emulator.BaseUri, ApiCaller.SubmitPath), emulator.Token);
        Assert.Equal((expectedPrice, expectedUnit), (info.GetProperty("base_price_usd").GetDouble(), info.GetProperty("price_unit").GetString()!));
    }

    [Fact]
    public async Task Without_a_price_the_model_info_has_none()
    {
        await using var emulator = await RunComfyEmulator.StartAsync(new EmulatorOptions { PriceUsd = null });
        var info = await Get(new Uri(emulator.BaseUri, ApiCaller.SubmitPath), emulator.Token);
        Assert.False(info.TryGetProperty("base_price_usd", out _));
    }

    [Fact]
    public async Task Each_accepted_job_is_taken_off_the_balance_and_one_too_many_gets_400002()
    {
        await using var emulator = await RunComfyEmulator.StartAsync(new EmulatorOptions { TimeScale = 1.0 / 300, Balance = 1.2m, PriceUsd = 0.5m });
        using var api = new ApiCaller(emulator);
        Assert.Equal(200, (await api.Valid()).Status);
        Assert.Equal(200, (await api.Valid()).Status);
        var refused = await api.Valid();
        Assert.Equal((400, "400002"), (refused.Status, refused.Text("error_code")));
        var balance = await Get(new Uri(emulator.AccountUri, "prod/v2/balance"), emulator.Token);
        Assert.Equal((0.2m, "USD"), (balance.GetProperty("balance_usd").GetDecimal(), balance.GetProperty("currency").GetString()!));
        Assert.NotEqual(emulator.BaseUri.Port, emulator.AccountUri.Port);
    }

    [Fact]
    public async Task A_body_that_is_not_UTF_8_is_a_400_that_says_so()
    {
        await using var emulator = await RunComfyEmulator.StartAsync(new EmulatorOptions());
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(emulator.BaseUri, ApiCaller.SubmitPath))
        {
            Content = new ByteArrayContent([.. Encoding.ASCII.GetBytes("{\"prompt\":\""), 0xC3, 0x28, .. Encoding.ASCII.GetBytes("\"}")]),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", emulator.Token);
        using var response = await http.SendAsync(request);
        Assert.Equal(400, (int)response.StatusCode);
        Assert.Contains("not valid JSON", await response.Content.ReadAsStringAsync());
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
    }
}
