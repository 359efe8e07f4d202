using System;
using System.IO;
using System.Management.Automation;
using System.Reflection;
using System.Runtime.InteropServices;

namespace Dreamina.Hosting
{
    /// <summary>
    /// Windows PowerShell 5.1 runs on .NET Framework, which has no System.Text.Json: the module carries it and its
    /// helpers in dependencies/. On .NET Framework this loads them from there when asked, whatever version the
    /// request names (as long as ours is at least as new), even if another module asked first. On PowerShell 7
    /// the runtime's own copies serve, and this does nothing.
    /// </summary>
    public sealed class DependencyResolver : IModuleAssemblyInitializer
    {
        private static readonly string Folder = Path.Combine(Path.GetDirectoryName(typeof(DependencyResolver).Assembly.Location) ?? ".", "dependencies");

        public void OnImport()
        {
            if (!IsNetFramework(RuntimeInformation.FrameworkDescription)) return;
            AppDomain.CurrentDomain.AssemblyResolve += (_, request) =>
                Choose(new AssemblyName(request.Name), Folder, path => AssemblyName.GetAssemblyName(path).Version) is { } path ? Assembly.LoadFrom(path) : null;
        }

        internal static bool IsNetFramework(string frameworkDescription)
            => frameworkDescription.StartsWith(".NET Framework", StringComparison.OrdinalIgnoreCase);

        /// <summary>The bundled file that answers a request, or null: same simple name, and a version at least the one asked for.</summary>
        internal static string? Choose(AssemblyName requested, string folder, Func<string, Version?> versionOf)
        {
            if (string.IsNullOrEmpty(requested.Name) || requested.Name!.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0) return null;
            var path = Path.Combine(folder, requested.Name + ".dll");
            if (!File.Exists(path)) return null;
            var bundled = versionOf(path);
            return requested.Version is null || (bundled is not null && bundled >= requested.Version) ? path : null;
        }
    }
}
