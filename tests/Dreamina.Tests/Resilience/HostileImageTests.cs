using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Dreamina.Emulator;
using Dreamina.Tests.Infrastructure;
using Xunit;

namespace Dreamina.Tests.Resilience;

/// <summary>Broken, truncated and lying image files, checked locally by Test-DreaminaImage: no request at all.</summary>
public sealed class HostileImageTests : IDisposable
{
    private readonly PowerShellHost _host = new(null);

    public void Dispose() => _host.Dispose();

    private static byte[] Png(int width, int height) => SampleImages.Png(width, height);

    public static TheoryData<string, string, string> Files() => new()
    {
        { "truncated-header.png", ErrorIds.ImageUnreadable, "truncated" },
        { "zero-width.png", ErrorIds.ImageUnreadable, "impossible size" },
        { "huge-claim.png", ErrorIds.ImageUnreadable, "impossible size" },
        { "bad-ihdr.png", ErrorIds.ImageUnreadable, "IHDR" },
        { "no-frame.jpg", ErrorIds.ImageUnreadable, "no frame header" },
        { "cut-jpeg.jpg", ErrorIds.ImageUnreadable, "truncated" },
        { "bad-segment.jpg", ErrorIds.ImageUnreadable, "impossible length" },
        { "empty.png", ErrorIds.ImageFormatUnsupported, "neither JPEG nor PNG" },
        { "text.jpg", ErrorIds.ImageFormatUnsupported, "neither JPEG nor PNG" },
        { "gif-named.png", ErrorIds.ImageFormatUnsupported, "neither JPEG nor PNG" },
        { "missing.png", ErrorIds.ImageFileNotFound, "does not exist" },
    };

    private static byte[] Content(string name)
    {
        var png = Png(640, 480);
        switch (name)
        {
            case "truncated-header.png": return png[..20];
            case "zero-width.png": png[16] = png[17] = png[18] = png[19] = 0; return png;
            case "huge-claim.png": png[16] = 0xFF; return png;
            case "bad-ihdr.png": png[12] = (byte)'X'; return png;
            case "no-frame.jpg": return new byte[] { 0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x04, 0x00, 0x00, 0xFF, 0xD9 };
            case "cut-jpeg.jpg": return SampleImages.JpegHeader(800, 600)[..22];
            case "bad-segment.jpg": return new byte[] { 0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x01, 0x00, 0x00 };
            case "empty.png": return Array.Empty<byte>();
            case "text.jpg": return "not an image at all"u8.ToArray();
            case "gif-named.png": return "GIF89a......"u8.ToArray();
            default: return Array.Empty<byte>();
        }
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void A_broken_image_file_is_reported_with_the_rule_it_breaks(string name, string errorId, string mentions)
    {
        var path = Path.Combine(_host.WorkDirectory, name);
        if (name != "missing.png") File.WriteAllBytes(path, Content(name));
        var report = _host.Run("Test-DreaminaImage -Image $path", new Dictionary<string, object?> { ["path"] = path }).ThrowOnError().Objects<DreaminaImageReport>().Single();
        Assert.False(report.IsValid);
        Assert.Equal(errorId, report.Problems[0].ErrorId);
        Assert.Contains(mentions, report.Problems[0].Message);
    }

    [Fact]
    public void Valid_files_pass_and_files_from_Get_ChildItem_style_objects_bind_by_FullName()
    {
        var good = Path.Combine(_host.WorkDirectory, "good.png");
        File.WriteAllBytes(good, Png(1024, 576));
        var jpeg = Path.Combine(_host.WorkDirectory, "photo.jpg");
        File.WriteAllBytes(jpeg, SampleImages.JpegHeader(3000, 2000));
        var reports = _host.Run("[System.IO.FileInfo]::new($a), [System.IO.FileInfo]::new($b) | Test-DreaminaImage",
            new Dictionary<string, object?> { ["a"] = good, ["b"] = jpeg }).ThrowOnError().Objects<DreaminaImageReport>().ToList();
        Assert.Equal(new[] { ("PNG", "1024x576"), ("JPEG", "3000x2000") }, reports.Select(r => (r.Format!, r.Dimensions!)));
        Assert.All(reports, r => Assert.True(r.IsValid));
        Assert.Equal(new object[] { true }, _host.Run("Test-DreaminaImage $a -Quiet", new Dictionary<string, object?> { ["a"] = good }).Output.Select(o => o.BaseObject));
    }
}
