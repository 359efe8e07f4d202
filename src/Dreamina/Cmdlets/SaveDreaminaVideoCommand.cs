using System;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using Dreamina.Download;
using Dreamina.Hosting;
using Dreamina.Reporting;

namespace Dreamina.Commands
{
    /// <summary>Downloads finished jobs' videos, several at once, each straight to disk; emits the saved files as Get-Item does.</summary>
    [Cmdlet(VerbsData.Save, "DreaminaVideo", DefaultParameterSetName = ByJob, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
    [OutputType(typeof(FileInfo), typeof(DreaminaBackgroundJob))]
    public sealed class SaveDreaminaVideoCommand : DreaminaJobCmdlet
    {
        private readonly List<DreaminaJob> _forJob = new List<DreaminaJob>();
        private SaveTargets? _targets;
        private string _destination = "";
        private SaveRun? _run;

        /// <summary>The file to write; for a single video. Use -Directory for several.</summary>
        [Parameter]
        public string? Path { get; set; }

        /// <summary>The folder to save into, as &lt;request id&gt;.mp4; the current location by default.</summary>
        [Parameter]
        public string? Directory { get; set; }

        [Parameter]
        public SwitchParameter Force { get; set; }

        /// <summary>Hosts besides RunComfy's storage (*.runcomfy.net, *.runcomfy.com) to download from; "*.example.com" covers subdomains.</summary>
        [Parameter]
        public string[]? AllowedHost { get; set; }

        [Parameter]
        [ValidateRange(1, long.MaxValue)]
        public long MaximumSize { get; set; } = DownloadPolicy.DefaultMaxBytes;

        /// <summary>Downloads at once.</summary>
        [Parameter]
        [ValidateRange(1, 64)]
        public int ThrottleLimit { get; set; } = 16;

        [Parameter]
        public SwitchParameter AsJob { get; set; }

        protected override void BeginProcessing()
        {
            base.BeginProcessing();
            // Paths are resolved here, against this PowerShell location, and a -Path that is a folder stops everything before any download.
            var path = Path is null ? null : GetUnresolvedProviderPathFromPSPath(Path);
            if (path is not null && System.IO.Directory.Exists(path)) ThrowTerminatingError(DownloadErrors.IsDirectory(path).ToErrorRecord(Path));
            var folder = Directory is null ? SessionState.Path.CurrentFileSystemLocation.ProviderPath : GetUnresolvedProviderPathFromPSPath(Directory);
            _destination = path ?? folder;
            _targets = new SaveTargets(path, folder);
            VideoDownloader.CleanOrphans(System.IO.Path.GetDirectoryName(path) ?? folder);
            if (AsJob) return;
            var items = ProviderItems.Of(SessionState);
            _run = NewRun(this, Cancellation, (file, job) => OnPipelineThread(() => WriteObject(items.ForFile(file.FullName, job.RequestId))));
        }

        protected override void ProcessRecord()
        {
            foreach (var job in Jobs)
            {
                if (!ShouldProcess($"job {job.RequestId ?? job.ClientId}", $"Save its video to {_destination}")) continue;
                if (AsJob) _forJob.Add(job);
                else _run!.Add(job);
            }
            Drain();
            if (_run?.Fatal is { } fatal) ThrowTerminatingError(fatal.ToErrorRecord(null));
        }

        protected override void EndProcessing()
        {
            if (AsJob)
            {
                if (_forJob.Count > 0) StartBackgroundJob(async (sink, stop) =>
                {
                    using var items = ProviderItems.Private();
                    var run = NewRun(sink, stop, (file, job) => sink.Output(items.ForFile(file.FullName, job.RequestId)));
                    foreach (var job in _forJob) run.Add(job);
                    await run.WhenDone().ConfigureAwait(false);
                    run.Finish();
                    if (run.Fatal is { } failed) throw failed;
                });
                return;
            }
            try
            {
                Await(_run!.WhenDone());
            }
            catch (PipelineStoppedException)
            {
                // Let cancelled downloads delete their partial files before the pipeline ends.
                _run!.WhenDone().Wait(TimeSpan.FromSeconds(2));
                throw;
            }
            _run.Finish();
            if (_run.Fatal is { } fatal) ThrowTerminatingError(fatal.ToErrorRecord(null));
        }

        private SaveRun NewRun(IOutputSink sink, CancellationToken cancel, Action<FileInfo, DreaminaJob> saved)
        {
            var settings = Session.Settings;
            var downloader = new VideoDownloader(Session.ContentHttp, new DownloadPolicy(AllowedHost, MaximumSize, settings.Retry), sink);
            return new SaveRun(Client, downloader, Journal, _targets!, saved, sink, Force, ThrottleLimit, cancel);
        }
    }
}
