using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Reflection;
using System.Xml.Linq;

namespace Dreamina.HelpBuilder;

/// <summary>Writes one cmdlet's MAML: text from its Markdown page, syntax and parameter facts from the compiled cmdlet.</summary>
public static class Maml
{
    public static readonly XNamespace Msh = "http://msh";
    private static readonly XNamespace M = "http://schemas.microsoft.com/maml/2004/10";
    private static readonly XNamespace Cmd = "http://schemas.microsoft.com/maml/dev/command/2004/10";
    private static readonly XNamespace Dev = "http://schemas.microsoft.com/maml/dev/2004/10";

    private sealed record Parameter(string Name, Type Type, IReadOnlyList<ParameterAttribute> Attributes, string[] Aliases, bool Wildcards);

    private static readonly Dictionary<string, string> ShouldProcessParameters = new()
    {
        ["WhatIf"] = "Shows what would happen if the cmdlet runs. The cmdlet is not run, and nothing is sent to RunComfy.",
        ["Confirm"] = "Prompts you for confirmation before running the cmdlet.",
    };

    public static XElement Command(string name, CmdletAttribute cmdlet, Type type, HelpDocument page, List<string> problems)
    {
        var parameters = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Select(p => new Parameter(p.Name, p.PropertyType, p.GetCustomAttributes<ParameterAttribute>().ToList(),
                p.GetCustomAttribute<AliasAttribute>()?.AliasNames.ToArray() ?? Array.Empty<string>(), p.GetCustomAttribute<SupportsWildcardsAttribute>() is not null))
            .Where(p => p.Attributes.Count > 0)
            .ToList();
        if (cmdlet.SupportsShouldProcess)
        {
            parameters.Add(new Parameter("WhatIf", typeof(SwitchParameter), new[] { new ParameterAttribute() }, new[] { "wi" }, false));
            parameters.Add(new Parameter("Confirm", typeof(SwitchParameter), new[] { new ParameterAttribute() }, new[] { "cf" }, false));
        }

        var documented = page.ItemsOf("PARAMETERS").ToDictionary(i => i.Title.TrimStart('-'), i => HelpDocument.ToParagraphs(i.Body), StringComparer.OrdinalIgnoreCase);
        if (cmdlet.SupportsShouldProcess) foreach (var (key, text) in ShouldProcessParameters) documented.TryAdd(key, new List<string> { text });
        foreach (var p in parameters.Where(p => !documented.ContainsKey(p.Name) || documented[p.Name].Count == 0)) problems.Add($"{name}: parameter -{p.Name} has no description");
        foreach (var extra in documented.Keys.Where(k => parameters.All(p => !p.Name.Equals(k, StringComparison.OrdinalIgnoreCase)))) problems.Add($"{name}: documents -{extra}, which it does not have");
        var defaults = Defaults(name, type, parameters, documented, problems);

        var synopsis = page.Paragraphs("SYNOPSIS");
        var description = page.Paragraphs("DESCRIPTION");
        var examples = page.ItemsOf("EXAMPLES");
        if (synopsis.Count == 0) problems.Add($"{name}: no SYNOPSIS");
        if (description.Count == 0) problems.Add($"{name}: no DESCRIPTION");
        if (examples.Count < 2) problems.Add($"{name}: needs at least two EXAMPLES, has {examples.Count}");

        return new XElement(Cmd + "command",
            new XAttribute(XNamespace.Xmlns + "maml", M), new XAttribute(XNamespace.Xmlns + "command", Cmd), new XAttribute(XNamespace.Xmlns + "dev", Dev),
            new XElement(Cmd + "details",
                new XElement(Cmd + "name", name),
                new XElement(M + "description", Paras(synopsis)),
                new XElement(Cmd + "verb", cmdlet.VerbName),
                new XElement(Cmd + "noun", cmdlet.NounName)),
            new XElement(M + "description", Paras(description)),
            new XElement(Cmd + "syntax", ParameterSets(cmdlet, parameters).Select(set => new XElement(Cmd + "syntaxItem",
                new XElement(M + "name", name),
                parameters.Where(p => InSet(p, set)).OrderBy(p => Position(p, set) ?? int.MaxValue).ThenBy(p => Required(p, set) ? 0 : 1).ThenBy(p => ShouldProcessParameters.ContainsKey(p.Name)).ThenBy(p => p.Name)
                    .Select(p => ParameterElement(p, set, documented, defaults))))),
            new XElement(Cmd + "parameters", parameters.OrderBy(p => p.Name).Select(p => ParameterElement(p, null, documented, defaults))),
            new XElement(Cmd + "inputTypes", TypeItems(page, "INPUTS", "inputType")),
            new XElement(Cmd + "returnValues", TypeItems(page, "OUTPUTS", "returnValue")),
            new XElement(M + "alertSet", new XElement(M + "alert", Paras(page.Paragraphs("NOTES")))),
            new XElement(Cmd + "examples", examples.Select((example, index) =>
            {
                var (code, remarks) = HelpDocument.SplitExample(example.Body);
                if (code.Length == 0) problems.Add($"{name}: example '{example.Title}' has no code");
                if (example.Title.Length + 8 > MaxCodeLine) problems.Add($"{name}: example title '{example.Title}' is longer than {MaxCodeLine - 8} characters");
                // The help view indents code by four and breaks lines at the window's edge less one: 75 keeps an 80-column terminal whole.
                foreach (var line in code.Split('\n').Where(l => l.Length > MaxCodeLine))
                    problems.Add($"{name}: example '{example.Title}' has a code line of {line.Length} characters (at most {MaxCodeLine}; break a pipeline after a '|'): {line}");
                return new XElement(Cmd + "example",
                    new XElement(M + "title", $"--- {example.Title} ---"),
                    new XElement(Dev + "code", code),
                    // PowerShell's help view puts the next example's title right under the last line of remarks, and indents
                    // it by one more when there are none: an empty paragraph last keeps a blank line and the title in place.
                    new XElement(Dev + "remarks", Paras(remarks.Append(""))));
            })),
            new XElement(Cmd + "relatedLinks", page.Paragraphs("RELATED LINKS")
                .SelectMany(p => p.Split(new[] { "- " }, StringSplitOptions.RemoveEmptyEntries))
                .Select(link => new XElement(M + "navigationLink", new XElement(M + "linkText", link.Trim()), new XElement(M + "uri")))));
    }

    private static IEnumerable<string> ParameterSets(CmdletAttribute cmdlet, List<Parameter> parameters)
    {
        var named = parameters.SelectMany(p => p.Attributes).Select(a => a.ParameterSetName)
            .Where(s => s != ParameterAttribute.AllParameterSets).Distinct().ToList();
        if (named.Count == 0) return new[] { ParameterAttribute.AllParameterSets };
        return named.OrderBy(s => s == cmdlet.DefaultParameterSetName ? 0 : 1).ThenBy(s => s);
    }

    private static ParameterAttribute? For(Parameter p, string? set)
        => set is null ? p.Attributes[0] : p.Attributes.FirstOrDefault(a => a.ParameterSetName == set) ?? p.Attributes.FirstOrDefault(a => a.ParameterSetName == ParameterAttribute.AllParameterSets);

    private static bool InSet(Parameter p, string set) => For(p, set) is not null;
    private static bool Required(Parameter p, string? set) => For(p, set)?.Mandatory == true;
    private static int? Position(Parameter p, string? set) => For(p, set)?.Position is int position && position >= 0 ? position : null;

    /// <summary>
    /// Each parameter's default as help shows it: a "Default: ..." paragraph of its page (taken out of the
    /// description), else the value a new cmdlet object holds. A parameter with neither is a problem, since a
    /// blank default leaves users guessing what happens when they leave it out.
    /// </summary>
    private static Dictionary<string, string> Defaults(string name, Type type, List<Parameter> parameters, Dictionary<string, List<string>> documented, List<string> problems)
    {
        var fresh = Activator.CreateInstance(type);
        var defaults = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var p in parameters)
        {
            var paragraphs = documented.GetValueOrDefault(p.Name) ?? new List<string>();
            var stated = paragraphs.FirstOrDefault(t => t.StartsWith(DefaultPrefix, StringComparison.Ordinal));
            if (stated is not null)
            {
                paragraphs.Remove(stated);
                defaults[p.Name] = stated.Substring(DefaultPrefix.Length).Trim();
                continue;
            }
            // A parameter that must always be given has no default, and help says so as PowerShell's own does.
            if (p.Attributes.All(a => a.Mandatory))
            {
                defaults[p.Name] = "None";
                continue;
            }
            var value = p.Type == typeof(SwitchParameter) || type.GetProperty(p.Name) is null ? null : type.GetProperty(p.Name)!.GetValue(fresh);
            var text = p.Type == typeof(SwitchParameter) ? "False" : value switch
            {
                null => null,
                Array { Length: 0 } => null,
                string { Length: 0 } => null,
                Array array => string.Join(", ", array.Cast<object>()),
                IFormattable formattable => formattable.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
                _ => value.ToString(),
            };
            if (text is null) problems.Add($"{name}: parameter -{p.Name} has no default value; state it in a paragraph starting '{DefaultPrefix}'");
            else defaults[p.Name] = text;
        }
        return defaults;
    }

    private const string DefaultPrefix = "Default:";
    private const int MaxCodeLine = 75;

    private static XElement ParameterElement(Parameter p, string? set, Dictionary<string, List<string>> documented, Dictionary<string, string> defaults)
    {
        var attribute = For(p, set)!;
        var pipeline = (p.Attributes.Any(a => a.ValueFromPipeline), p.Attributes.Any(a => a.ValueFromPipelineByPropertyName)) switch
        {
            (true, true) => "True (ByValue, ByPropertyName)",
            (true, false) => "True (ByValue)",
            (false, true) => "True (ByPropertyName)",
            _ => "False",
        };
        var typeName = TypeName(p.Type);
        return new XElement(Cmd + "parameter",
            new XAttribute("required", attribute.Mandatory.ToString().ToLowerInvariant()),
            new XAttribute("variableLength", "true"),
            new XAttribute("globbing", p.Wildcards.ToString().ToLowerInvariant()),
            new XAttribute("pipelineInput", pipeline),
            new XAttribute("position", Position(p, set)?.ToString() ?? "named"),
            new XAttribute("aliases", p.Aliases.Length == 0 ? "none" : string.Join(", ", p.Aliases)),
            new XElement(M + "name", p.Name),
            new XElement(M + "description", Paras(documented.GetValueOrDefault(p.Name) ?? new List<string>())),
            p.Type == typeof(SwitchParameter) ? null : new XElement(Cmd + "parameterValue", new XAttribute("required", "true"), new XAttribute("variableLength", "false"), typeName),
            new XElement(Dev + "type", new XElement(M + "name", typeName), new XElement(M + "uri")),
            new XElement(Dev + "defaultValue", defaults.GetValueOrDefault(p.Name) ?? "None"));
    }

    private static string TypeName(Type type)
    {
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        return underlying.IsArray ? underlying.GetElementType()!.Name + "[]" : underlying.Name;
    }

    private static IEnumerable<XElement> TypeItems(HelpDocument page, string section, string element)
        => page.ItemsOf(section).Select(item => new XElement(Cmd + element,
            new XElement(Dev + "type", new XElement(M + "name", item.Title), new XElement(M + "uri")),
            new XElement(M + "description", Paras(HelpDocument.ToParagraphs(item.Body)))));

    private static IEnumerable<XElement> Paras(IEnumerable<string> paragraphs) => paragraphs.Select(p => new XElement(M + "para", p));
}
