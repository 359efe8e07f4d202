using System;
using System.IO;
using System.Linq;
using Dreamina.Tests.Infrastructure;
using Xunit;

namespace Dreamina.Tests.Module;

/// <summary>Runs only when a person asks for it: it spends a real credit on RunComfy.</summary>
public sealed class LiveFactAttribute : FactAttribute
{
    public static bool Enabled => Environment.GetEnvironmentVariable("DREAMINA_LIVE") == "1"
        && !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable("RUNCOMFY_TOKEN"));

    public LiveFactAttribute()
    {
        if (!Enabled) Skip = Reason;
    }

    private const string Reason = "Live test against the real RunComfy service: skipped unless DREAMINA_LIVE=1 and RUNCOMFY_TOKEN are set (it spends one credit).";
}

public sealed class LiveServiceTests
{
    [LiveFact]
    public void One_real_job_becomes_a_saved_mp4()
    {
        using var host = new PowerShellHost(null);
        var run = host.Run("""
            Connect-Dreamina -JournalPath (Join-Path $PWD 'live.jsonl') > $null
            Start-DreaminaVideo -Prompt 'A slow, sweeping tracking shot through a sun-drenched vintage street.' `
                -ImageUri 'https://playgrounds-storage-public.runcomfy.net/tools/7013/media-files/usecase2-2-input.jpeg' |
                Wait-DreaminaJob -Timeout 1200 | Save-DreaminaVideo -Directory ./live
            """).ThrowOnError();
        var file = Assert.Single(run.Objects<FileInfo>());
        Assert.Equal("ftyp", System.Text.Encoding.ASCII.GetString(File.ReadAllBytes(file.FullName), 4, 4));
    }
}
