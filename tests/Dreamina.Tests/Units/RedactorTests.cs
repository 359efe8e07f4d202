using System;
using System.Management.Automation;
using Dreamina.Reporting;
using Xunit;

namespace Dreamina.Tests.Units;

public sealed class RedactorTests
{
    private readonly Redactor _redactor = new(new[] { "tok-3b9f6c1d-very-secret", "sv=2023&sp=rcw&sig=Zm9vYmFy" });

    [Theory]
    [InlineData("token tok-3b9f6c1d-very-secret is revoked", "token *** is revoked")]
    [InlineData("Authorization: Bearer abc.def.ghi", "Authorization: ***")]
    [InlineData("sent Bearer abc.def.ghi to the host", "sent Bearer *** to the host")]
    [InlineData("https://user:pw@images.example/a.png", "https://***@images.example/a.png")]
    [InlineData("https://acct.blob.core.windows.net/c/a.png?sv=2023&sig=abc%2Bdef&se=2099", "https://acct.blob.core.windows.net/c/a.png?sv=2023&sig=***&se=2099")]
    [InlineData("https://s3.example/a.png?X-Amz-Credential=AK%2F1&X-Amz-Signature=deadbeef", "https://s3.example/a.png?X-Amz-Credential=***&X-Amz-Signature=***")]
    [InlineData("nothing secret here", "nothing secret here")]
    public void Secrets_and_secret_shapes_are_masked(string text, string expected)
        => Assert.Equal(expected, _redactor.Redact(text));

    [Fact]
    public void An_error_record_comes_out_with_its_id_category_and_masked_message_and_target()
    {
        var error = new DreaminaException(ErrorIds.JobFailed, ErrorCategory.InvalidResult, "the service said tok-3b9f6c1d-very-secret") { ServiceCode = 1 };
        var record = _redactor.Redact(error.ToErrorRecord("https://u:p@host/x.png"));
        Assert.Equal(ErrorIds.JobFailed, record.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidResult, record.CategoryInfo.Category);
        Assert.Equal("the service said ***", record.Exception.Message);
        Assert.Equal(1, ((DreaminaException)record.Exception).ServiceCode);
        Assert.Equal("https://***@host/x.png", record.TargetObject);
    }

    [Fact]
    public void Uris_are_masked_and_clean_ones_come_back_as_they_were()
    {
        var clean = new Uri("https://example.com/a.png");
        Assert.Same(clean, _redactor.Redact(clean));
        Assert.Equal("https://***@example.com/a.png", _redactor.Redact(new Uri("https://me:pw@example.com/a.png")).ToString());
    }
}
