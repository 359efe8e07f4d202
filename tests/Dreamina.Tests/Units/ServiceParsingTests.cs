using System;
using System.Net.Http.Headers;
using System.Management.Automation;
using Dreamina.Transport;
using Dreamina.Service;
using Xunit;

namespace Dreamina.Tests.Units;

public sealed class ServiceParsingTests
{
    [Theory]
    [InlineData("""{"error_code":400004,"error_message":"bad token"}""", 400004, "bad token")]
    [InlineData("""{"message":"plain message"}""", null, "plain message")]
    [InlineData("""{"error":"just a string"}""", null, "just a string")]
    [InlineData("""{"error":{"code":"E1","message":"nested"}}""", null, "nested")]
    [InlineData("""{"error":{"error_code":403001,"error_message":"deep"}}""", 403001, "deep")]
    [InlineData("""{"detail":[{"loc":["body","frames"],"msg":"bad frames","type":"x"},{"loc":["body"],"msg":"also"}]}""", null, "frames: bad frames; also")]
    [InlineData("""{"detail":"Not Found"}""", null, "Not Found")]
    [InlineData("upstream connect error", null, "upstream connect error")]
    [InlineData("<html><title>502 Bad Gateway</title></html>", null, "502 Bad Gateway")]
    [InlineData("""{"error_code":"404001","error_message":"string code"}""", 404001, "string code")]
    [InlineData("", null, null)]
    public void Every_known_error_body_shape_yields_its_code_and_message(string body, int? code, string? message)
        => Assert.Equal((code, message), ErrorBody.Parse(body));

    [Theory]
    [InlineData(400, 400004, ErrorIds.AuthenticationFailed, ErrorCategory.AuthenticationError)]
    [InlineData(401, null, ErrorIds.AuthenticationFailed, ErrorCategory.AuthenticationError)]
    [InlineData(403, null, ErrorIds.AuthenticationFailed, ErrorCategory.AuthenticationError)]
    [InlineData(403, 403001, ErrorIds.RequestForbidden, ErrorCategory.PermissionDenied)]
    [InlineData(400, 400002, ErrorIds.InsufficientBalance, ErrorCategory.QuotaExceeded)]
    [InlineData(404, 404001, ErrorIds.RequestNotFound, ErrorCategory.ObjectNotFound)]
    [InlineData(400, 400001, ErrorIds.InvalidModel, ErrorCategory.InvalidArgument)]
    [InlineData(422, null, ErrorIds.InputRejected, ErrorCategory.InvalidArgument)]
    [InlineData(429, null, ErrorIds.ServiceUnavailable, ErrorCategory.ResourceUnavailable)]
    [InlineData(504, null, ErrorIds.ServiceUnavailable, ErrorCategory.ResourceUnavailable)]
    [InlineData(418, null, ErrorIds.ServiceError, ErrorCategory.NotSpecified)]
    public void Status_and_code_map_to_a_stable_id_and_category(int status, int? code, string id, ErrorCategory category)
    {
        var error = ServiceErrors.From(status, code, "m", "job-1", null);
        Assert.Equal((id, category), (error.ErrorId, error.Category));
        Assert.Equal(status is 429 or 504, error.IsTransient);
    }

    [Fact]
    public void A_message_says_what_happened_with_the_services_words_once_then_what_to_do()
    {
        var error = ServiceErrors.From(400, 400004, "Missing, expired or revoked API token, or the account is inactive.", null, null);
        Assert.Equal("RunComfy refused the token (HTTP 400, code 400004: \"Missing, expired or revoked API token, or the account is inactive\"). " +
            "Set a valid one with Connect-Dreamina -Token (Read-Host -AsSecureString 'RunComfy token'), or in $env:RUNCOMFY_API_TOKEN, or sign in with 'runcomfy login'.", error.Message);
        Assert.DoesNotContain("..", ServiceErrors.From(402, 400002, "Insufficient balance.", null, null).Message);
        Assert.EndsWith("(HTTP 503). Try again in a few minutes.", ServiceErrors.From(503, null, null, null, null).Message);
    }

    [Fact]
    public void Only_refusals_are_known_not_to_have_run()
    {
        Assert.False(ServiceErrors.From(400, null, null, null, null).MayHaveBeenProcessed);
        Assert.False(ServiceErrors.From(429, null, null, null, null).MayHaveBeenProcessed);
        Assert.False(ServiceErrors.From(503, null, null, null, null).MayHaveBeenProcessed);
        Assert.True(ServiceErrors.From(500, null, null, null, null).MayHaveBeenProcessed);
        Assert.True(ServiceErrors.From(502, null, null, null, null).MayHaveBeenProcessed);
    }

    [Fact]
    public void Backoff_is_full_jitter_under_a_growing_ceiling_and_Retry_After_wins_within_its_cap()
    {
        var policy = new RetryPolicy { BaseDelay = TimeSpan.FromSeconds(1), MaxDelay = TimeSpan.FromSeconds(8) };
        var random = new Random(3);
        for (var attempt = 0; attempt < 10; attempt++)
        {
            var delay = policy.DelayBefore(attempt, null, random);
            Assert.InRange(delay.TotalSeconds, 0, Math.Min(8, Math.Pow(2, attempt)));
        }
        Assert.Equal(TimeSpan.FromSeconds(20), policy.DelayBefore(0, TimeSpan.FromSeconds(20), random));
        Assert.Equal(policy.MaxRetryAfter, policy.DelayBefore(0, TimeSpan.FromHours(3), random));
        Assert.Equal(TimeSpan.Zero, policy.DelayBefore(0, TimeSpan.FromSeconds(-5), random));
    }

    [Fact]
    public void Retry_After_is_read_as_seconds_or_as_a_date()
    {
        var now = new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);
        Assert.Equal(TimeSpan.FromSeconds(7), RetryPolicy.ParseRetryAfter(RetryConditionHeaderValue.Parse("7"), now));
        Assert.Equal(TimeSpan.FromSeconds(30), RetryPolicy.ParseRetryAfter(RetryConditionHeaderValue.Parse("Mon, 23 Nov 2026 12:00:30 GMT"), now));
        Assert.Null(RetryPolicy.ParseRetryAfter(null, now));
    }

    [Theory]
    [InlineData("in_queue", "Queued")]
    [InlineData("in_progress", "Running")]
    [InlineData("completed", "Completed")]
    [InlineData("succeeded", "Completed")]
    [InlineData("failed", "Failed")]
    [InlineData("cancelled", "Cancelled")]
    [InlineData("canceled", "Cancelled")]
    [InlineData("warming_up", "Unknown")]
    [InlineData(null, "Unknown")]
    public void Both_status_vocabularies_map_to_PowerShell_words(string? word, string status)
        => Assert.Equal(status, StatusWords.Map(word).ToString());

}
