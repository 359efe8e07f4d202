using System;
using System.IO;
using System.Linq;
using System.Management.Automation;

namespace Dreamina.Hosting
{
    /// <summary>
    /// Files as the FileSystem provider hands them out (Get-Item, Get-ChildItem): wrapped with PSPath,
    /// PSParentPath, PSChildName, PSDrive, PSProvider and PSIsContainer, so they format and pipe like any other
    /// file. Captured on the pipeline thread; usable from any thread afterwards, a background job's included.
    /// </summary>
    internal sealed class ProviderItems
    {
        private readonly ProviderInfo _provider;
        private readonly PSDriveInfo[] _drives;

        private ProviderItems(ProviderInfo provider, PSDriveInfo[] drives)
        {
            _provider = provider;
            _drives = drives;
        }

        public static ProviderItems Capture(SessionState state)
        {
            var provider = state.Provider.GetOne("FileSystem");
            return new ProviderItems(provider, state.Drive.GetAllForProvider("FileSystem").OrderByDescending(d => d.Root.Length).ToArray());
        }

        /// <summary>The file as Get-Item would return it, with the job's request id beside it.</summary>
        public PSObject ForFile(FileInfo file, string? requestId)
        {
            var item = new PSObject(file);
            var prefix = _provider.ModuleName is { Length: > 0 } module ? $"{module}\\{_provider.Name}::" : $"{_provider.Name}::";
            item.Properties.Add(new PSNoteProperty("PSPath", prefix + file.FullName));
            item.Properties.Add(new PSNoteProperty("PSParentPath", prefix + file.DirectoryName));
            item.Properties.Add(new PSNoteProperty("PSChildName", file.Name));
            item.Properties.Add(new PSNoteProperty("PSDrive", _drives.FirstOrDefault(d => file.FullName.StartsWith(d.Root, StringComparison.OrdinalIgnoreCase))));
            item.Properties.Add(new PSNoteProperty("PSProvider", _provider));
            item.Properties.Add(new PSNoteProperty("PSIsContainer", false));
            item.Properties.Add(new PSNoteProperty("RequestId", requestId));
            return item;
        }
    }
}
