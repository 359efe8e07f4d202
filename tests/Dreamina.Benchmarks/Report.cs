using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using Dreamina.Tests.Infrastructure;

namespace Dreamina.Benchmarks;

internal sealed class Report
{
    private readonly List<(string Measure, double Figure, string Unit, string Target, bool Met)> _rows = new();
    private readonly List<string> _notes = new();

    public bool AllMet => _rows.All(r => r.Met);

    public void Note(string text) => _notes.Add(text);

    public void Add(string measure, double figure, string unit, string target, bool met)
    {
        _rows.Add((measure, figure, unit, target, met));
        Console.Error.WriteLine($"  measured {measure}: {figure:0.###} {unit}");
    }

    /// <summary>Runs one part in a child process and returns what it measured.</summary>
    public static Report RunPart(string part)
    {
        var start = new System.Diagnostics.ProcessStartInfo("dotnet", $"\"{typeof(Report).Assembly.Location}\" --only {part}")
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        using var child = System.Diagnostics.Process.Start(start)!;
        var output = child.StandardOutput.ReadToEnd();
        child.WaitForExit();
        var json = output.Split('\n').LastOrDefault(l => l.StartsWith(JsonMarker, StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"The {part} part printed no results:\n{output}");
        var rows = JsonSerializer.Deserialize<List<Row>>(json.Substring(JsonMarker.Length))!;
        var report = new Report();
        foreach (var row in rows) report._rows.Add((row.Measure, row.Figure, row.Unit, row.Target, row.Met));
        return report;
    }

    public void Include(Report part) => _rows.AddRange(part._rows);

    private const string JsonMarker = "ROWS ";

    private sealed record Row(string Measure, double Figure, string Unit, string Target, bool Met);

    public void Print(bool saveJson)
    {
        foreach (var note in _notes) Console.WriteLine(note);
        Console.WriteLine();
        Console.WriteLine("| Measure | Figure | Target | Met |");
        Console.WriteLine("|---|---:|---|---|");
        foreach (var r in _rows) Console.WriteLine($"| {r.Measure} | {r.Figure:0.###} {r.Unit} | {r.Target} | {(r.Target.Length == 0 ? "" : r.Met ? "yes" : "NO")} |");
        if (saveJson)
        {
            var folder = Path.Combine(ModuleUnderTest.RepoRoot, "out", "benchmarks");
            Directory.CreateDirectory(folder);
            var file = Path.Combine(folder, $"results-{DateTime.UtcNow:yyyyMMdd-HHmmss}.json");
            File.WriteAllText(file, JsonSerializer.Serialize(new
            {
                notes = _notes,
                rows = _rows.Select(r => new { measure = r.Measure, figure = Math.Round(r.Figure, 3), unit = r.Unit, target = r.Target, met = r.Met }),
            }, new JsonSerializerOptions { WriteIndented = true }));
            Console.WriteLine();
            Console.WriteLine("JSON: " + file);
        }
        if (!saveJson) Console.WriteLine(JsonMarker + JsonSerializer.Serialize(_rows.Select(r => new Row(r.Measure, r.Figure, r.Unit, r.Target, r.Met))));
    }
}
