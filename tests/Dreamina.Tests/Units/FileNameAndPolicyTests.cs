using System;
using System.IO;
using Dreamina.Transport;
using Dreamina.Download;
using Dreamina.Service;
using Xunit;

namespace Dreamina.Tests.Units;

public sealed class FileNameAndPolicyTests
{
    [Theory]
    [InlineData("0f3c-91ab", "0f3c-91ab.mp4")]
    [InlineData("../../etc/passwd", "_.._etc_passwd.mp4")]
    [InlineData("..\\..\\Windows\\win.ini", "_.._Windows_win.ini.mp4")]
    [InlineData("CON", "_CON.mp4")]
    [InlineData("nul.txt", "_nul.txt.mp4")]
    [InlineData("a:b*c?d\"e<f>g|h", "a_b_c_d_e_f_g_h.mp4")]
    [InlineData("...", "video.mp4")]
    [InlineData("élan", "_lan.mp4")]
    public void Names_from_request_ids_are_safe_on_every_os(string requestId, string expected)
        => Assert.Equal(expected, SafeFileName.ForVideo(requestId, new Uri("https://x.runcomfy.net/v"), 0, 1));

    [Fact]
    public void Several_videos_get_numbered_names_and_keep_a_known_extension()
    {
        Assert.Equal("id-2.webm", SafeFileName.ForVideo("id", new Uri("https://x.runcomfy.net/out.webm"), 1, 2));
        Assert.Equal("id.mp4", SafeFileName.ForVideo("id", new Uri("https://x.runcomfy.net/out.exe"), 0, 1));
    }

    [Fact]
    public void A_name_can_never_leave_its_folder()
    {
        var folder = Path.Combine(Path.GetTempPath(), "clips");
        Assert.Equal(Path.Combine(folder, "a.mp4"), SafeFileName.Within(folder, "a.mp4"));
        Assert.Throws<DreaminaException>(() => SafeFileName.Within(folder, "../a.mp4"));
        Assert.Throws<DreaminaException>(() => SafeFileName.Within(folder, "/etc/passwd"));
    }

    [Theory]
    [InlineData("https://playgrounds-storage-public.runcomfy.net/a.mp4", true)]
    [InlineData("https://cdn.runcomfy.com/a.mp4", true)]
    [InlineData("https://runcomfy.net/a.mp4", true)]
    [InlineData("http://127.0.0.1:5081/videos/a.mp4", true)]
    [InlineData("http://localhost/a.mp4", true)]
    [InlineData("http://cdn.runcomfy.net/a.mp4", false)]
    [InlineData("https://evilruncomfy.net/a.mp4", false)]
    [InlineData("https://runcomfy.net.evil.com/a.mp4", false)]
    [InlineData("https://files.partner.example/a.mp4", true)]
    [InlineData("https://partner.example/a.mp4", false)]
    [InlineData("file:///etc/passwd", false)]
    public void Only_RunComfy_storage_loopback_and_allowed_hosts_are_downloaded_from(string url, bool allowed)
    {
        var policy = new DownloadPolicy(new[] { "*.partner.example" }, DownloadPolicy.DefaultMaxBytes, new RetryPolicy());
        Assert.Equal(allowed, policy.Refuse(new Uri(url)) is null);
    }
}
