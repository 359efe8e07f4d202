using System;
using System.IO;
using System.Management.Automation;
using System.Net;
using System.Reflection;
using System.Runtime.InteropServices;

namespace Dreamina.Hosting
{
    /// <summary>
    /// What Windows PowerShell 5.1, on .NET Framework, needs at import; on PowerShell 7 this does nothing.
    /// .NET Framework has no System.Text.Json: the module carries it and its helpers in dependencies/ and loads them
    /// from there when asked, whatever version the request names (as long as ours is at least as new), even if
    /// another module asked first. And powershell.exe may still offer only TLS 1.0/1.1, which RunComfy refuses, so
    /// TLS 1.2 is added to the protocols the process allows.
    /// </summary>
    public sealed class WindowsPowerShellSupport : IModuleAssemblyInitializer, IModuleAssemblyCleanup
    {
        private static readonly string Folder = Path.Combine(Path.GetDirectoryName(typeof(WindowsPowerShellSupport).Assembly.Location) ?? ".", "dependencies");
        private static readonly object Gate = new object();
        private static AppDomain? _hookedDomain;

        public void OnImport()
        {
            if (!IsNetFramework(RuntimeInformation.FrameworkDescription)) return;
            Hook(AppDomain.CurrentDomain);
            ServicePointManager.SecurityProtocol = WithTls12(ServicePointManager.SecurityProtocol);
        }

        /// <summary>Remove-Module: the handler goes with the module, so a later import (or another module) never meets a stale one.</summary>
        public void OnRemove(PSModuleInfo module) => Unhook();

        /// <summary>Whether the resolver is installed (once per process, however often the module is imported).</summary>
        internal static bool IsHooked { get { lock (Gate) return _hookedDomain is not null; } }

        internal static void Hook(AppDomain domain)
        {
            lock (Gate)
            {
                if (_hookedDomain is not null) return;
                domain.AssemblyResolve += ResolveBundled;
                _hookedDomain = domain;
            }
        }

        internal static void Unhook()
        {
            lock (Gate)
            {
                _hookedDomain?.AssemblyResolve -= ResolveBundled;
                _hookedDomain = null;
            }
        }

        // Answers only for the assemblies this module bundles (by their simple name), and leaves every other request to others.
        private static Assembly? ResolveBundled(object? sender, ResolveEventArgs request)
            => Choose(new AssemblyName(request.Name), Folder, path => AssemblyName.GetAssemblyName(path).Version) is { } path ? Assembly.LoadFrom(path) : null;

        // SecurityProtocolType.SystemDefault, which netstandard2.0 does not name: Windows chooses, TLS 1.2 included.
        private const SecurityProtocolType SystemDefault = 0;

        /// <summary>Adds TLS 1.2 to an explicit list of protocols; the system default is left as it is.</summary>
        internal static SecurityProtocolType WithTls12(SecurityProtocolType allowed)
            => allowed == SystemDefault ? allowed : allowed | SecurityProtocolType.Tls12;

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
