using System;
using System.Management.Automation;
using System.Management.Automation.Runspaces;

// dotnet Dreamina.ScriptHost.dll <module manifest> <script>
// Imports the module into a fresh runspace, runs the script, prints each output object on a line of stdout and
// each error on stderr, and exits with 1 if there was any error.
if (args.Length != 2)
{
    Console.Error.WriteLine("usage: Dreamina.ScriptHost <module manifest> <script>");
    return 2;
}
var session = InitialSessionState.CreateDefault2();
session.ImportPSModule(new[] { args[0] });
using var runspace = RunspaceFactory.CreateRunspace(session);
runspace.Open();
using var shell = PowerShell.Create();
shell.Runspace = runspace;
foreach (var item in shell.AddScript(args[1]).Invoke()) Console.WriteLine(item);
foreach (var error in shell.Streams.Error) Console.Error.WriteLine($"{error} [{error.FullyQualifiedErrorId}]");
return shell.HadErrors ? 1 : 0;
