using System.Collections.Generic;
using System.Linq;
using Dreamina.Emulator;
using Dreamina.Tests.Infrastructure;
using Xunit;

namespace Dreamina.Tests.Pipeline;

/// <summary>Input the service would reject is never submitted: each is refused locally, with an error that names the rule and the value.</summary>
public sealed class LocalValidationTests(EmulatorFixture fixture) : IClassFixture<EmulatorFixture>
{
    public static TheoryData<string, string, string> Inputs() => new()
    {
        { "-Prompt '' -ImageUri $img", ErrorIds.PromptMissing, "empty" },
        { "-Prompt '   ' -ImageUri $img", ErrorIds.PromptMissing, "empty" },
        { "-Prompt \"`t`e`0\" -ImageUri $img", ErrorIds.PromptMissing, "empty" },
        { "-Prompt p -ImageUri $img -Seed -2", ErrorIds.SeedInvalid, "-2" },
        { "-Prompt p -ImageUri $img -ImagePath ./a.png", ErrorIds.ImageSourceConflict, "one way" },
        { "-Prompt ('x' * 801) -ImageUri $img", ErrorIds.PromptTooLong, "801" },
        { "-Prompt p -ImageUri @()", ErrorIds.ImageCountInvalid, "No image was given" },
        { "-Prompt p -ImageUri $img, $img", ErrorIds.ImageCountInvalid, "2 were given" },
        { "-Prompt p -ImageUri 'street.png'", ErrorIds.ImageUriInvalid, "street.png" },
        { "-Prompt p -ImageUri 'ftp://example.com/a.png'", ErrorIds.ImageUriInvalid, "ftp://example.com/a.png" },
        { "-Prompt p -ImageUri 'http://example.com/a.png'", ErrorIds.ImageUriNotHttps, "http://example.com/a.png" },
        { "-Prompt p -ImageUri 'https://user:pw@example.com/a.png'", ErrorIds.ImageUriInvalid, "user name or password" },
        { "-Prompt p -ImageUri $img -Frames 120", ErrorIds.FramesInvalid, "120" },
        { "-Prompt p -ImageUri $img -Duration 7", ErrorIds.DurationInvalid, "7" },
        { "-Prompt p -ImageUri $img -Duration 5 -Frames 241", ErrorIds.FramesDurationConflict, "241" },
        { "-Prompt p -ImageUri ($samples + 'too-small.png')", ErrorIds.ImageTooSmall, "320x480" },
        { "-Prompt p -ImageUri ($samples + 'too-large.png')", ErrorIds.ImageTooLarge, "4097x2000" },
        { "-Prompt p -ImageUri ($samples + 'too-wide.png')", ErrorIds.ImageRatioInvalid, "1500x500" },
        { "-Prompt p -ImageUri ($samples + 'too-heavy.png')", ErrorIds.ImageFileTooLarge, "bytes" },
        { "-Prompt p -ImageUri ($samples + 'not-an-image.png')", ErrorIds.ImageFormatUnsupported, "neither JPEG nor PNG" },
        { "-Prompt p -ImageUri ($samples + 'missing.png')", ErrorIds.ImageUnreachable, "404" },
    };

    [Theory]
    [MemberData(nameof(Inputs))]
    public void Invalid_input_is_rejected_before_anything_is_submitted(string arguments, string errorId, string named)
    {
        using var host = new PowerShellHost(fixture.Emulator);
        var before = fixture.Emulator.Stats.Requests(EmulatorEndpoint.Submit);
        var run = host.Run("Start-DreaminaVideo " + arguments, new Dictionary<string, object?>
        {
            ["img"] = fixture.Emulator.SampleImage("street.png").AbsoluteUri,
            ["samples"] = fixture.Emulator.SampleImage("").AbsoluteUri,
        });
        var error = Assert.Single(run.Errors);
        Assert.Equal(errorId, error.FullyQualifiedErrorId.Split(',')[0]);
        Assert.Contains(named, error.Exception.Message);
        Assert.Empty(run.Output);
        Assert.Equal(before, fixture.Emulator.Stats.Requests(EmulatorEndpoint.Submit));
    }

    [Fact]
    public void A_bad_row_in_a_batch_is_an_error_and_the_other_rows_are_still_submitted()
    {
        using var host = new PowerShellHost(fixture.Emulator);
        var run = host.Run("""
            @(
                [pscustomobject]@{ Prompt = 'good one'; ImageUri = $img }
                [pscustomobject]@{ Prompt = ''; ImageUri = $img }
                [pscustomobject]@{ Prompt = 'good two'; ImageUri = $img; Frames = 241 }
            ) | Start-DreaminaVideo
            """, new Dictionary<string, object?> { ["img"] = fixture.Emulator.SampleImage("portrait.jpg").AbsoluteUri });
        Assert.Single(run.Errors);
        // Jobs come out as RunComfy accepts them, not in input order.
        Assert.Equal(new[] { "good one", "good two" }, run.Objects<DreaminaJob>().Select(j => j.Prompt).OrderBy(p => p));
    }
}
