using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Dreamina.Tests.Infrastructure;
using Xunit;

namespace Dreamina.Tests.Module;

/// <summary>The layers docs/ARCHITECTURE.md describes, read off the source as a newcomer would read it.</summary>
public sealed class ArchitectureTests
{
    private static readonly string Source = Path.Combine(ModuleUnderTest.RepoRoot, "src", "Dreamina");
    private static readonly Regex Declaration = new(@"\b(?:class|interface|enum|struct)\s+([A-Z]\w*)", RegexOptions.Compiled);

    [Fact]
    public void No_folder_uses_a_folder_that_uses_it_back()
    {
        var uses = FolderUses();
        var cycles = StronglyConnected(uses.ToDictionary(u => u.Key, u => u.Value.Keys.ToHashSet())).Where(group => group.Count > 1).Select(group => string.Join(" -> ", group.OrderBy(f => f))).ToList();
        Assert.True(cycles.Count == 0, "Folders in a cycle of use: " + string.Join("; ", cycles));
    }

    [Fact]
    public void Each_folder_uses_only_folders_below_it_in_the_documented_order()
    {
        var order = DocumentedLayers();
        var upward = new List<string>();
        foreach (var (folder, used) in FolderUses())
        {
            Assert.True(order.Contains(folder), $"docs/ARCHITECTURE.md's layers do not name {folder}/.");
            foreach (var (lower, where) in used)
                if (order.IndexOf(lower) <= order.IndexOf(folder)) upward.Add($"{folder} uses {lower} ({where}), which is not below it");
        }
        Assert.True(upward.Count == 0, string.Join("; ", upward));
    }

    [Fact]
    public void No_source_file_is_over_300_lines()
    {
        var tooLong = CodeFiles().Select(f => (f.Path, Lines: File.ReadAllLines(f.Path).Length)).Where(f => f.Lines > 300).Select(f => $"{Path.GetRelativePath(Source, f.Path)} ({f.Lines})");
        Assert.Empty(tooLong);
    }

    [Fact]
    public void Cmdlets_stay_thin_one_sealed_cmdlet_per_file()
    {
        foreach (var file in Directory.GetFiles(Path.Combine(Source, "Cmdlets"), "*.cs"))
        {
            var text = File.ReadAllText(file);
            Assert.True(File.ReadAllLines(file).Length <= 150, $"{Path.GetFileName(file)} has more than 150 lines: move its work into the engine.");
            Assert.Single(Regex.Matches(text, @"\[Cmdlet\("));
            Assert.Matches(@"public sealed class \w+Command\b", text);
        }
    }

    [Fact]
    public void Every_wait_before_a_retry_is_chosen_by_the_one_retry_loop()
    {
        var callers = CodeFiles().Where(f => f.Text.Contains("DelayBefore(") && !f.Path.EndsWith(Path.Combine("Transport", "RetryLoop.cs")) && !f.Path.EndsWith("RetryPolicy.cs"));
        Assert.Empty(callers.Select(f => f.Path));
    }

    [Fact]
    public void The_architecture_page_names_every_folder()
    {
        var page = File.ReadAllText(Path.Combine(ModuleUnderTest.RepoRoot, "docs", "ARCHITECTURE.md"));
        foreach (var folder in Directory.GetDirectories(Source).Select(Path.GetFileName).Where(f => f is not ("bin" or "obj")))
            Assert.Contains($"`{folder}/`", page);
    }

    private static IEnumerable<(string Path, string Folder, string Text)> CodeFiles()
        => Directory.GetFiles(Source, "*.cs", SearchOption.AllDirectories)
            .Where(p => !p.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") && !p.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}"))
            .Select(p => (p, Path.GetDirectoryName(Path.GetRelativePath(Source, p)) is { Length: > 0 } folder ? folder : "(root)", WithoutCommentsAndStrings(File.ReadAllText(p))));

    // The folders of the page's layer diagram, top first: the first word of each line of its first code block.
    private static List<string> DocumentedLayers()
    {
        var page = File.ReadAllText(Path.Combine(ModuleUnderTest.RepoRoot, "docs", "ARCHITECTURE.md"));
        var diagram = Regex.Match(page, "```\\s*\n(.*?)```", RegexOptions.Singleline).Groups[1].Value;
        return diagram.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line.Split(' ')[0].TrimEnd('/')).ToList();
    }

    // Which folders each folder's files use, by the type names they mention (a member access such as x.Values is not a
    // use), each with the first file and type that shows it.
    private static Dictionary<string, Dictionary<string, string>> FolderUses()
    {
        var files = CodeFiles().ToList();
        var home = new Dictionary<string, string>();
        foreach (var file in files)
            foreach (Match m in Declaration.Matches(file.Text)) home.TryAdd(m.Groups[1].Value, file.Folder);
        var uses = files.Select(f => f.Folder).Distinct().ToDictionary(f => f, _ => new Dictionary<string, string>());
        foreach (var file in files)
            foreach (var (type, folder) in home)
                if (folder != file.Folder && !uses[file.Folder].ContainsKey(folder) && Regex.IsMatch(file.Text, $@"(?<![\w.])(?:[A-Z]\w*\.)*{type}\b"))
                    uses[file.Folder][folder] = $"{Path.GetFileName(file.Path)}: {type}";
        return uses;
    }

    private static string WithoutCommentsAndStrings(string code)
        => Regex.Replace(Regex.Replace(code, @"//.*", ""), @"""(?:[^""\\]|\\.)*""", "\"\"");

    // Tarjan's algorithm: each group of folders that reach one another.
    private static List<List<string>> StronglyConnected(Dictionary<string, HashSet<string>> edges)
    {
        var index = new Dictionary<string, int>();
        var low = new Dictionary<string, int>();
        var stack = new Stack<string>();
        var groups = new List<List<string>>();
        void Visit(string node)
        {
            index[node] = low[node] = index.Count;
            stack.Push(node);
            foreach (var next in edges.GetValueOrDefault(node) ?? new HashSet<string>())
            {
                if (!index.ContainsKey(next)) { Visit(next); low[node] = Math.Min(low[node], low[next]); }
                else if (stack.Contains(next)) low[node] = Math.Min(low[node], index[next]);
            }
            if (low[node] != index[node]) return;
            var group = new List<string>();
            string member;
            do { member = stack.Pop(); group.Add(member); } while (member != node);
            groups.Add(group);
        }
        foreach (var node in edges.Keys) if (!index.ContainsKey(node)) Visit(node);
        return groups;
    }
}
