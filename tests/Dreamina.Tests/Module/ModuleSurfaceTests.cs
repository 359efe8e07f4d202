using System;
using System.Collections;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using Dreamina.Tests.Infrastructure;
using Xunit;

namespace Dreamina.Tests.Module;

/// <summary>What a PowerShell user sees of the module before running anything: manifest, help, formats, completion.</summary>
public sealed class ModuleSurfaceTests : IDisposable
{
    private readonly PowerShellHost _host = new(null);

    public void Dispose() => _host.Dispose();

    private static string[] CmdletsInDll() => typeof(DreaminaJob).Assembly.GetExportedTypes()
        .Where(t => !t.IsAbstract && t.GetCustomAttributes(typeof(CmdletAttribute), false).Length == 1)
        .Select(t => (CmdletAttribute)t.GetCustomAttributes(typeof(CmdletAttribute), false)[0])
        .Select(a => $"{a.VerbName}-{a.NounName}")
        .OrderBy(n => n)
        .ToArray();

    [Fact]
    public void The_manifest_passes_Test_ModuleManifest_and_exports_exactly_the_cmdlets_the_dll_defines()
    {
        var manifest = _host.Run($"Test-ModuleManifest '{ModuleUnderTest.Manifest}'").ThrowOnError().Output.Single();
        var exported = ((IDictionary)manifest.Properties["ExportedCmdlets"].Value).Keys.Cast<string>().OrderBy(n => n).ToArray();
        Assert.Equal(CmdletsInDll(), exported);
        Assert.Equal(CmdletsInDll(), _host.Run("(Get-Module Dreamina).ExportedCmdlets.Keys").Output.Select(o => o.ToString()).OrderBy(n => n));
        var text = File.ReadAllText(ModuleUnderTest.Manifest);
        Assert.DoesNotContain("'*'", text);
        Assert.Contains("'Desktop'", text);
        Assert.Contains("PowerShellVersion    = '5.1'", text);
    }

    [Fact]
    public void The_staged_folder_carries_no_PowerShell_reference_assembly_and_keeps_framework_dependencies_apart()
    {
        Assert.False(File.Exists(Path.Combine(ModuleUnderTest.StagedDirectory, "System.Management.Automation.dll")));
        Assert.False(File.Exists(Path.Combine(ModuleUnderTest.StagedDirectory, "System.Text.Json.dll")));
        Assert.True(File.Exists(Path.Combine(ModuleUnderTest.StagedDirectory, "dependencies", "System.Text.Json.dll")));
        Assert.True(File.Exists(Path.Combine(ModuleUnderTest.StagedDirectory, "en-US", "Dreamina.dll-Help.xml")));
    }

    [Fact]
    public void The_format_file_loads_and_has_views_for_jobs_and_image_reports()
    {
        var file = Path.Combine(ModuleUnderTest.StagedDirectory, "Dreamina.format.ps1xml");
        _ = new FormatTable(new[] { file }); // throws FormatTableLoadException on any error
        var text = File.ReadAllText(file);
        Assert.Contains("<TypeName>Dreamina.DreaminaJob</TypeName>", text);
        Assert.Contains("<TypeName>Dreamina.DreaminaImageReport</TypeName>", text);
    }

    public static TheoryData<string> Cmdlets()
    {
        var data = new TheoryData<string>();
        foreach (var name in CmdletsInDll()) data.Add(name);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cmdlets))]
    public void Get_Help_shows_synopsis_description_examples_and_every_parameter(string cmdlet)
    {
        var help = _host.Run($"Get-Help {cmdlet} -Full").ThrowOnError().Output.Single();
        dynamic h = help;
        Assert.False(string.IsNullOrWhiteSpace((string)h.Synopsis), "synopsis");
        Assert.DoesNotContain(cmdlet + " [", ((string)h.Synopsis).Trim()); // a generated stub starts with the syntax
        Assert.NotEmpty(Text(help, "description"));
        var examples = _host.Run($"(Get-Help {cmdlet} -Examples).examples.example").Output;
        Assert.True(examples.Count >= 2, $"{cmdlet} has {examples.Count} examples");
        Assert.All(examples, e => Assert.False(string.IsNullOrWhiteSpace(e.Properties["code"].Value?.ToString())));

        var parameters = _host.Run($"(Get-Command {cmdlet}).Parameters.Keys | Where-Object {{ $_ -notin [System.Management.Automation.PSCmdlet]::CommonParameters }}").Output.Select(p => p.ToString()).ToList();
        foreach (var parameter in parameters)
        {
            var described = _host.Run($"(Get-Help {cmdlet} -Parameter {parameter}).description.Text").Output.Select(o => o.ToString()).ToList();
            Assert.True(described.Any(d => d.Length > 10), $"{cmdlet} -{parameter} has no description");
        }
        var syntax = _host.Run($"(Get-Help {cmdlet}).syntax.syntaxItem.parameter.name").Output.Select(o => o.ToString()).ToHashSet();
        Assert.Superset(syntax, parameters.ToHashSet());
    }

    [Fact]
    public void about_Dreamina_explains_the_journal_and_the_emulator()
    {
        var text = string.Join("\n", _host.Run("Get-Help about_Dreamina").ThrowOnError().Output.Select(o => o.ToString()));
        Assert.Contains("JOURNAL", text);
        Assert.Contains("EMULATOR", text);
        Assert.Contains("RUNCOMFY_TOKEN", text);
    }

    [Theory]
    [InlineData("Start-DreaminaVideo -Frames ", new[] { "121", "241" })]
    [InlineData("Start-DreaminaVideo -Duration ", new[] { "5", "10" })]
    [InlineData("Start-DreaminaVideo -Duration 1", new[] { "10" })]
    public void Frames_and_Duration_complete_their_values(string line, string[] expected)
    {
        Assert.Equal(expected, Complete(line).Select(c => c.CompletionText));
    }

    [Fact]
    public void RequestId_completes_from_the_journal_most_recent_first_with_the_prompt_as_tooltip()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_host.JournalPath)!);
        File.WriteAllLines(_host.JournalPath, new[]
        {
            """{"request_id":"aaa-older","status":"Completed","prompt":"the first one","submitted_at":"2026-01-01T10:00:00+00:00"}""",
            """{"request_id":"aab-newer","status":"Queued","prompt":"the second one","submitted_at":"2026-01-02T10:00:00+00:00"}""",
            """{"request_id":"zzz-other","status":"Queued","prompt":"another","submitted_at":"2026-01-03T10:00:00+00:00"}""",
        });
        _host.Run($"Connect-Dreamina -JournalPath '{_host.JournalPath}' > $null").ThrowOnError();
        var matches = Complete("Wait-DreaminaJob -RequestId aa");
        Assert.Equal(new[] { "aab-newer", "aaa-older" }, matches.Select(c => c.CompletionText));
        Assert.Equal("the second one", matches[0].ToolTip);
    }

    private CompletionResult[] Complete(string line)
        => _host.Run("(TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches", new System.Collections.Generic.Dictionary<string, object?> { ["line"] = line })
            .ThrowOnError().Objects<CompletionResult>().ToArray();

    private static string Text(PSObject help, string property)
        => string.Join(" ", ((help.Properties[property]?.Value as object[]) ?? Array.Empty<object>()).Select(p => PSObject.AsPSObject(p).Properties["Text"]?.Value));
}
