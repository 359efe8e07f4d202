using System;
using System.Collections.Generic;
using System.Linq;

namespace Dreamina.HelpBuilder;

/// <summary>One cmdlet's help page in platyPS-style Markdown: "## SECTION" headings, "### item" sub-headings, fenced code.</summary>
public sealed class HelpDocument
{
    public string Name { get; private set; } = "";
    public Dictionary<string, List<string>> Sections { get; } = new(StringComparer.OrdinalIgnoreCase);
    public Dictionary<string, List<(string Title, List<string> Body)>> Items { get; } = new(StringComparer.OrdinalIgnoreCase);

    public IReadOnlyList<string> Paragraphs(string section) => ToParagraphs(Sections.GetValueOrDefault(section) ?? new List<string>());

    public IReadOnlyList<(string Title, List<string> Body)> ItemsOf(string section)
        => Items.GetValueOrDefault(section) ?? new List<(string, List<string>)>();

    public static HelpDocument Parse(string markdown)
    {
        var document = new HelpDocument();
        string? section = null;
        List<string>? target = null;
        var inCode = false;
        foreach (var raw in markdown.Replace("\r\n", "\n").Split('\n'))
        {
            var line = raw.TrimEnd();
            if (line.StartsWith("```", StringComparison.Ordinal)) inCode = !inCode;
            if (!inCode && line.StartsWith("# ", StringComparison.Ordinal))
            {
                document.Name = line[2..].Trim();
                continue;
            }
            if (!inCode && line.StartsWith("## ", StringComparison.Ordinal))
            {
                section = line[3..].Trim();
                target = document.Sections[section] = new List<string>();
                continue;
            }
            if (!inCode && line.StartsWith("### ", StringComparison.Ordinal) && section is not null)
            {
                if (!document.Items.TryGetValue(section, out var items)) document.Items[section] = items = new();
                target = new List<string>();
                items.Add((line[4..].Trim(), target));
                continue;
            }
            target?.Add(line);
        }
        return document;
    }

    /// <summary>Blank-line separated paragraphs with line breaks folded; a fenced block stays one paragraph, fences removed.</summary>
    public static List<string> ToParagraphs(IEnumerable<string> lines)
    {
        var paragraphs = new List<string>();
        var current = new List<string>();
        var inCode = false;
        void Flush()
        {
            if (current.Count > 0) paragraphs.Add(inCode ? string.Join("\n", current) : string.Join(" ", current.Select(l => l.Trim())));
            current.Clear();
        }
        foreach (var line in lines)
        {
            if (line.StartsWith("```", StringComparison.Ordinal))
            {
                Flush();
                inCode = !inCode;
                continue;
            }
            if (!inCode && line.Trim().Length == 0) Flush();
            else current.Add(line);
        }
        Flush();
        return paragraphs;
    }

    /// <summary>The code of an example (its first fenced block) and the remarks after it.</summary>
    public static (string Code, List<string> Remarks) SplitExample(List<string> body)
    {
        var start = body.FindIndex(l => l.StartsWith("```", StringComparison.Ordinal));
        var end = start < 0 ? -1 : body.FindIndex(start + 1, l => l.StartsWith("```", StringComparison.Ordinal));
        if (start < 0 || end < 0) return ("", ToParagraphs(body));
        return (string.Join("\n", body.Skip(start + 1).Take(end - start - 1)), ToParagraphs(body.Skip(end + 1)));
    }
}
