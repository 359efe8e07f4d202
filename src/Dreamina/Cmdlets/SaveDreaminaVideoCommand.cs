using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using Dreamina.Download;
using Dreamina.Hosting;
using Dreamina.Waiting;

namespace Dreamina.Commands
{
    /// <summary>Downloads finished jobs' videos, several at once, each straight to disk; emits the saved files.</summary>
    [Cmdlet(VerbsData.Save, "DreaminaVideo", DefaultParameterSetName = ByJob, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
    [OutputType(typeof(FileInfo))]
    public sealed class SaveDreaminaVideoCommand : DreaminaJobCmdlet
    {
        private const int ProgressId = 0x0D7F;
        private static readonly TimeSpan ProgressEvery = TimeSpan.FromMilliseconds(250);
        /// <summary>Trust a video link for less than RunComfy keeps it (about an hour).</summary>
        private static readonly TimeSpan LinkLifetime = TimeSpan.FromMinutes(45);
        private readonly List<Task> _downloads = new List<Task>();
        private readonly Dictionary<Task, (long Have, long? Total)> _sizes = new Dictionary<Task, (long, long?)>();
        private SemaphoreSlim? _throttle;
        private VideoDownloader? _downloader;
        private int _savedToPath;
        private int _done;
        private DateTime _lastProgress = DateTime.MinValue;

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
        [ValidateRange(1, 32)]
        public int ThrottleLimit { get; set; } = 4;

        protected override void BeginProcessing()
        {
            base.BeginProcessing();
            _throttle = new SemaphoreSlim(ThrottleLimit);
            _downloader = new VideoDownloader(Session.ContentHttp, new DownloadPolicy(AllowedHost, MaximumSize, Session.Retry), this);
        }

        protected override void ProcessRecord()
        {
            foreach (var job in Jobs)
            {
                try
                {
                    EnsureVideo(job);
                    for (var i = 0; i < job.VideoUris.Count; i++)
                    {
                        var target = TargetFor(job, i);
                        if (ShouldProcess(target, $"Save the video of job {job.RequestId}")) Start(job, job.VideoUris[i], target);
                    }
                }
                catch (DreaminaException e)
                {
                    Fail(e, job);
                }
            }
            Drain();
        }

        protected override void EndProcessing()
        {
            try
            {
                PumpUntil(() => _done == _downloads.Count, null);
            }
            catch (PipelineStoppedException)
            {
                // Let cancelled downloads delete their partial files before the pipeline ends.
                Task.WaitAll(_downloads.ToArray(), TimeSpan.FromSeconds(2));
                throw;
            }
            WriteProgress(new ProgressRecord(ProgressId, "Saving Dreamina videos", "Done") { RecordType = ProgressRecordType.Completed });
        }

        // A job piped straight from Start-DreaminaVideo, known only by id, or whose link may have expired
        // (RunComfy's links last about an hour) is asked for its result first.
        private void EnsureVideo(DreaminaJob job)
        {
            var linkMayHaveExpired = (job.CheckedAt ?? job.FinishedAt) is { } seen && DateTimeOffset.UtcNow - seen > LinkLifetime;
            if ((job.VideoUris.Count == 0 || linkMayHaveExpired) && job.Status is not (JobStatus.Failed or JobStatus.Cancelled))
            {
                job.Apply(Await(JobStatusReader.ReadAsync(Client, job.RequestId, Cancellation)));
            }
            if (job.VideoUris.Count == 0)
            {
                var why = job.Status switch
                {
                    JobStatus.Failed => $"it failed: {job.Error}",
                    JobStatus.Cancelled => "it was cancelled",
                    JobStatus.Completed => "RunComfy's result lists no video",
                    _ => $"it is {job.Status.ToString().ToLowerInvariant()}; wait for it with Wait-DreaminaJob first",
                };
                throw new DreaminaException(ErrorIds.NoVideo, ErrorCategory.InvalidOperation, $"Job {job.RequestId} has no video to save: {why}.");
            }
        }

        private string TargetFor(DreaminaJob job, int index)
        {
            if (Path is not null)
            {
                if (++_savedToPath > 1)
                    throw new DreaminaException(ErrorIds.PathIsAmbiguous, ErrorCategory.InvalidArgument,
                        $"-Path names one file, but a second video (job {job.RequestId}) would go there too. Use -Directory to save several videos.");
                return GetUnresolvedProviderPathFromPSPath(Path);
            }
            var folder = Directory is null ? SessionState.Path.CurrentFileSystemLocation.ProviderPath : GetUnresolvedProviderPathFromPSPath(Directory);
            return SafeFileName.Within(folder, SafeFileName.ForVideo(job.RequestId, job.VideoUris[index], index, job.VideoUris.Count));
        }

        private void Start(DreaminaJob job, Uri video, string target)
        {
            Task? download = null;
            var lastReport = DateTime.MinValue;
            download = Task.Run(async () =>
            {
                await _throttle!.WaitAsync(Cancellation).ConfigureAwait(false);
                try
                {
                    return await _downloader!.DownloadAsync(video, target, Force, (have, total) =>
                    {
                        var now = DateTime.UtcNow;
                        if (now - lastReport < ProgressEvery) return;
                        lastReport = now;
                        Post(() => ShowProgress(download!, have, total));
                    }, Cancellation).ConfigureAwait(false);
                }
                finally
                {
                    _throttle.Release();
                }
            }).ContinueWith(t => Post(() => Finish(job, target, t)), TaskScheduler.Default);
            _downloads.Add(download);
            _sizes[download] = (0, null);
        }

        private void Finish(DreaminaJob job, string target, Task<FileInfo> download)
        {
            _done++;
            if (download.Status == TaskStatus.RanToCompletion)
            {
                job.SavedTo = target;
                Remember(job);
                WriteVerbose($"Saved the video of job {job.RequestId} to {target}.");
                WriteObject(download.Result);
            }
            else if (download.Exception?.GetBaseException() is DreaminaException e)
            {
                WriteError(e.ToErrorRecord(job));
            }
            else if (!download.IsCanceled && download.Exception is { } unexpected)
            {
                WriteError(new ErrorRecord(unexpected.GetBaseException(), ErrorIds.DownloadIncomplete, ErrorCategory.WriteError, job));
            }
        }

        private void ShowProgress(Task download, long have, long? total)
        {
            _sizes[download] = (have, total);
            var now = DateTime.UtcNow;
            if (now - _lastProgress < ProgressEvery) return;
            _lastProgress = now;
            var bytes = _sizes.Values.Sum(s => s.Have);
            var known = _sizes.Values.All(s => s.Total is not null) ? _sizes.Values.Sum(s => s.Total!.Value) : (long?)null;
            WriteProgress(new ProgressRecord(ProgressId, "Saving Dreamina videos",
                $"{_done} of {_downloads.Count} saved; {bytes / 1048576.0:0.0} MB{(known is null ? "" : $" of {known.Value / 1048576.0:0.0} MB")}")
            {
                PercentComplete = known is { } all && all > 0 ? (int)Math.Min(100, 100 * bytes / all) : -1,
            });
        }
    }
}
