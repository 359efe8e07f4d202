using System;
using System.Collections.Generic;
using System.IO;
using Dreamina.Configuration;
using Xunit;

namespace Dreamina.Tests.Units;

public sealed class TokenResolverTests : IDisposable
{
    private readonly string _home = Directory.CreateTempSubdirectory("dreamina-home-").FullName;
    private readonly Dictionary<string, string?> _environment = new();

    public void Dispose() => Directory.Delete(_home, recursive: true);

    private TokenResolver Resolver() => new(name => _environment.GetValueOrDefault(name), _home);

    private void WriteTokenFile(string json)
    {
        Directory.CreateDirectory(Path.Combine(_home, ".config", "runcomfy"));
        File.WriteAllText(Path.Combine(_home, ".config", "runcomfy", "token.json"), json);
    }

    [Fact]
    public void Connect_beats_the_environment_which_beats_the_CLI_token_file()
    {
        WriteTokenFile("""{"access_token":"from-file"}""");
        Assert.Equal("from-file", Resolver().Resolve(null).Token);
        _environment["RUNCOMFY_TOKEN"] = " from-env ";
        Assert.Equal(("from-env", "$env:RUNCOMFY_TOKEN"), Resolver().Resolve(null));
        Assert.Equal("given", Resolver().Resolve(new System.Net.NetworkCredential("", "given").SecurePassword).Token);
    }

    [Fact]
    public void RUNCOMFY_API_TOKEN_alone_is_enough_and_is_read_before_RUNCOMFY_TOKEN()
    {
        _environment["RUNCOMFY_API_TOKEN"] = "api-token";
        Assert.Equal(("api-token", "$env:RUNCOMFY_API_TOKEN"), Resolver().Resolve(null));
        _environment["RUNCOMFY_TOKEN"] = "cli-token";
        Assert.Equal(("api-token", "$env:RUNCOMFY_API_TOKEN"), Resolver().Resolve(null));
        _environment["RUNCOMFY_API_TOKEN"] = " ";
        Assert.Equal(("cli-token", "$env:RUNCOMFY_TOKEN"), Resolver().Resolve(null));
    }

    [Theory]
    [InlineData("""{"access_token":""}""")]
    [InlineData("""{"token":"x"}""")]
    [InlineData("not json")]
    [InlineData("""["x"]""")]
    public void A_useless_token_file_means_no_token_and_says_where_it_looked(string json)
    {
        WriteTokenFile(json);
        var (token, source) = Resolver().Resolve(null);
        Assert.Null(token);
        Assert.Contains("token.json", source);
        Assert.Contains("RUNCOMFY_TOKEN", source);
    }

    [Theory]
    [InlineData("tok\r\nen", "a line break")]
    [InlineData("tök-en", "a character outside ASCII")]
    [InlineData("tok en", "a space")]
    [InlineData("tok\u0007en", "a control character")]
    public void A_token_from_anywhere_that_cannot_go_in_a_header_is_an_error_that_says_why_and_where(string token, string says)
    {
        var problem = TokenResolver.Problem(token, "$env:RUNCOMFY_TOKEN");
        Assert.NotNull(problem);
        Assert.Equal(ErrorIds.TokenInvalid, problem!.ErrorId);
        Assert.Contains(says, problem.Message);
        Assert.Contains("$env:RUNCOMFY_TOKEN", problem.Message);
        Assert.DoesNotContain(token, problem.Message);
        Assert.Null(TokenResolver.Problem("emulator-token", "-Token"));
    }
}
