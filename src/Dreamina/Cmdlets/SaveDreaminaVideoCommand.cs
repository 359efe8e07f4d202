using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
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
        private readonly List<(DreaminaJob Job, string? Name)> _forJob = new List<(DreaminaJob, string?)>();
        private SaveTargets? _targets;
        private string _destination = "";
        private SaveRun? _run;
        private int _position;

        /// <summary>The file to write; for a single video. Use -Directory for several.</summary>
        [Parameter]
        public string? Path { get; set; }

        /// <summary>The folder to save into, as &lt;request id&gt;.mp4; the current location by default.</summary>
        [Parameter]
        public string? Directory { get; set; }

        /// <summary>Names each file: gets the job as $_ (with its place in the input order as $_.Index) and returns a name.</summary>
        [Parameter]
        public ScriptBlock? FileName { get; set; }

        [Parameter] public SwitchParameter WriteMetadata { get; set; }
        [Parameter] public SwitchParameter Force { get; set; }

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
            _targets = new SaveTargets(path, folder, Force);
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
                string? name;
                try { name = ChosenName(job); }
                catch (DreaminaException e) { WriteError(e.ToErrorRecord(job)); continue; }
                if (AsJob) _forJob.Add((job, name));
                else _run!.Add(job, name);
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
                    foreach (var (job, name) in _forJob) run.Add(job, name);
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

        private SaveRun NewRun(IOutputSink sink, CancellationToken cancel, Action<FileInfo, DreaminaJob> saved) => Engine.NewSaveRun(_targets!, new SaveOptions
        {
            AllowedHosts = AllowedHost,
            MaximumSize = MaximumSize,
            Overwrite = Force,
            MetadataVersion = WriteMetadata ? typeof(SaveDreaminaVideoCommand).Assembly.GetName().Version?.ToString(3) ?? "" : null,
            ThrottleLimit = ThrottleLimit,
        }, saved, sink, cancel);

        // User script runs here, on the pipeline thread; a name it cannot give is this job's error, not the batch's.
        private string? ChosenName(DreaminaJob job)
        {
            if (FileName is null) return null;
            var item = PSObject.AsPSObject(job).Copy();
            item.Properties.Add(new PSNoteProperty("Index", ++_position));
            try
            {
                var returned = FileName.InvokeWithContext(null, new List<PSVariable> { new PSVariable("_", item) }).LastOrDefault(o => o?.BaseObject is not null);
                return SafeFileName.FromUser(returned?.BaseObject?.ToString() ?? "");
            }
            catch (RuntimeException e)
            {
                throw new DreaminaException(ErrorIds.FileNameInvalid, ErrorCategory.InvalidResult, $"The -FileName script block failed for job {job.RequestId}: {e.Message}", e);
            }
        }
    }
}
