using System;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.Loader;

namespace Dreamina.Tests.Infrastructure;

/// <summary>
/// Finds the staged module (out/Dreamina/&lt;version&gt;/) and makes it the only Dreamina.dll in the process,
/// so unit tests of its classes and Import-Module in the hosted engine use the very same assembly.
/// </summary>
public static class ModuleUnderTest
{
    public static readonly string RepoRoot = FindRepoRoot();
    public static readonly string StagedDirectory = Directory.GetDirectories(Path.Combine(RepoRoot, "out", "Dreamina")).Single();
    public static readonly string Manifest = Path.Combine(StagedDirectory, "Dreamina.psd1");

    /// <summary>The build configuration of this assembly, which is also that of the projects built beside it.</summary>
#if DEBUG
    public const string Configuration = "Debug";
#else
    public const string Configuration = "Release";
#endif

    [ModuleInitializer]
    internal static void LoadFromStage()
    {
        AssemblyLoadContext.Default.Resolving += (context, name) => name.Name == "Dreamina"
            ? context.LoadFromAssemblyPath(Path.Combine(StagedDirectory, "Dreamina.dll"))
            : null;
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Dreamina.Module.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException("Run the tests from inside the repository: Dreamina.Module.sln was not found above " + AppContext.BaseDirectory);
    }
}
