using System.IO;
using System.Linq;
using System.Management.Automation.Language;
using Dreamina.Tests.Infrastructure;
using Xunit;

namespace Dreamina.Tests.Module;

public sealed class ScriptParseTests
{
    // Build output and the tools restored into the repository (Pester, Azurite) are not our scripts.
    private static readonly string[] NotOurs = { "bin", "obj", "out", ".tools", "node_modules", ".git" };

    public static TheoryData<string> Scripts()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.EnumerateFiles(ModuleUnderTest.RepoRoot, "*.ps*1", SearchOption.AllDirectories)
                     .Where(f => f.EndsWith(".ps1") || f.EndsWith(".psm1") || f.EndsWith(".psd1"))
                     .Where(f => !NotOurs.Any(folder => f.Contains(Path.DirectorySeparatorChar + folder + Path.DirectorySeparatorChar))))
        {
            data.Add(Path.GetRelativePath(ModuleUnderTest.RepoRoot, file));
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Scripts))]
    public void Every_PowerShell_file_in_the_repository_parses(string relativePath)
    {
        Parser.ParseFile(Path.Combine(ModuleUnderTest.RepoRoot, relativePath), out _, out var errors);
        Assert.True(errors.Length == 0, string.Join("\n", errors.Select(e => $"{relativePath}:{e.Extent.StartLineNumber}: {e.Message}")));
    }

    [Fact]
    public void The_scripts_that_must_exist_are_found()
    {
        var scripts = Scripts().Cast<object[]>().Select(row => (string)row[0]).ToList();
        Assert.Contains("build.ps1", scripts);
        Assert.Contains(Path.Combine("tests", "Pester", "Dreamina.TestHelpers.psm1"), scripts);
        Assert.Contains(Path.Combine("examples", "Invoke-NightlyDreaminaRun.ps1"), scripts);
    }
}
