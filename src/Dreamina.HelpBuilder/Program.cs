using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Reflection;
using System.Xml.Linq;
using Dreamina.HelpBuilder;

// Usage: Dreamina.HelpBuilder <module.dll> <docs/help folder> <output Dreamina.dll-Help.xml>
if (args.Length != 3)
{
    Console.Error.WriteLine("Usage: Dreamina.HelpBuilder <module.dll> <help markdown folder> <output MAML file>");
    return 2;
}

var assembly = Assembly.LoadFrom(Path.GetFullPath(args[0]));
var cmdlets = assembly.GetExportedTypes()
    .Select(t => (Type: t, Attribute: t.GetCustomAttribute<CmdletAttribute>()))
    .Where(c => c.Attribute is not null && !c.Type.IsAbstract)
    .OrderBy(c => c.Attribute!.NounName).ThenBy(c => c.Attribute!.VerbName)
    .ToList();

var problems = new List<string>();
var commands = new List<XElement>();
foreach (var (type, attribute) in cmdlets)
{
    var name = $"{attribute!.VerbName}-{attribute.NounName}";
    var file = Path.Combine(args[1], name + ".md");
    if (!File.Exists(file))
    {
        problems.Add($"{name}: no help page {file}");
        continue;
    }
    var page = HelpDocument.Parse(File.ReadAllText(file));
    commands.Add(Maml.Command(name, attribute, type, page, problems));
}

if (problems.Count > 0)
{
    foreach (var problem in problems) Console.Error.WriteLine("error DH0001: " + problem);
    return 1;
}

Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(args[2]))!);
new XDocument(new XDeclaration("1.0", "utf-8", null), new XElement(Maml.Msh + "helpItems", new XAttribute("schema", "maml"), commands)).Save(args[2]);
Console.WriteLine($"Help for {commands.Count} cmdlets written to {args[2]}");
return 0;
