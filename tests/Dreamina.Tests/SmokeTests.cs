using System.IO;
using Dreamina.Tests.Infrastructure;
using Xunit;

namespace Dreamina.Tests;

public sealed class SmokeTests(EmulatorFixture fixture) : IClassFixture<EmulatorFixture>
{
    [Fact]
    public void One_image_becomes_a_saved_video_through_the_pipeline()
    {
        using var host = new PowerShellHost(fixture.Emulator);
        var run = host.Run($"Start-DreaminaVideo -Prompt 'slow dolly-in' -ImageUri '{fixture.Emulator.SampleImage("street.png")}' | Wait-DreaminaJob -PollInterval 0.1 | Save-DreaminaVideo -Directory ./clips");
        run.ThrowOnError();
        var file = Assert.Single(run.Objects<FileInfo>());
        Assert.Equal(fixture.Emulator.ExpectedVideoBytes(), File.ReadAllBytes(file.FullName));
    }
}
