using System;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;

namespace Dreamina.Hosting
{
    /// <summary>
    /// Saved files as the FileSystem provider hands them out (Get-Item): with PSPath, PSParentPath, PSDrive,
    /// PSProvider and, on Unix, the stat the file views show (mode, owner, size), so they format and pipe like any
    /// other file; with the job's request id beside them. A pipeline asks its own session state, on its own
    /// thread; a background job has no runspace, so it asks one of its own, used only from its thread.
    /// </summary>
    internal sealed class ProviderItems : IDisposable
    {
        private readonly object _gate = new object();
        private readonly SessionState? _state;
        private Runspace? _own;

        private ProviderItems(SessionState? state) => _state = state;

        /// <summary>For the pipeline thread of the cmdlet whose session state this is.</summary>
        public static ProviderItems Of(SessionState state) => new ProviderItems(state);

        /// <summary>For a background job: a small runspace of its own, opened at the first file.</summary>
        public static ProviderItems Private() => new ProviderItems(null);

        public PSObject ForFile(string path, string? requestId)
        {
            PSObject item;
            lock (_gate)
            {
                var provider = _state?.InvokeProvider ?? Own().SessionStateProxy.InvokeProvider;
                item = provider.Item.Get(new[] { path }, false, true).Single();
            }
            item.Properties.Add(new PSNoteProperty("RequestId", requestId));
            return item;
        }

        private Runspace Own()
        {
            if (_own is null)
            {
                _own = RunspaceFactory.CreateRunspace(InitialSessionState.CreateDefault2());
                _own.Open();
            }
            return _own;
        }

        public void Dispose()
        {
            lock (_gate) _own?.Dispose();
        }
    }
}
