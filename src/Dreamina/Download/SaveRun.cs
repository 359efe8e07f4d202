using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using Dreamina.Journal;
using Dreamina.Reporting;
using Dreamina.Service;

namespace Dreamina.Download
{
    /// <summary>
    /// Saving many jobs' videos, several at once: a job without a (fresh) link is asked for its result first, a
    /// video already saved by an earlier run is recognised instead of downloaded again, each saved file is
    /// journaled and handed on as a file item, and one progress bar shows bytes and rate for them all.
    /// </summary>
    internal sealed class SaveRun
    {
        /// <summary>Trust a video link for less than RunComfy keeps it (about an hour).</summary>
        private static readonly TimeSpan LinkLifetime = TimeSpan.FromMinutes(45);
        private readonly IRunComfyApi _api;
        private readonly VideoDownloader _downloader;
        private readonly IJobJournal _journal;
        private readonly SaveTargets _targets;
        private readonly Action<FileInfo, DreaminaJob> _saved;
        private readonly IOutputSink _sink;
        private readonly bool _overwrite;
        private readonly string? _metadataVersion;
        private readonly SemaphoreSlim _throttle;
        private readonly CancellationToken _cancel;
        private readonly List<Task> _saves = new List<Task>();
        private readonly Dictionary<object, (long Have, long? Total)> _bytes = new Dictionary<object, (long, long?)>();
        private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();
        private readonly ProgressLine _progress;
        private int _done;
        private DreaminaException? _fatal;

        /// <param name="saved">Hands on each saved file (as a file item, on whatever thread may make one), from any thread.</param>
        public SaveRun(IRunComfyApi api, VideoDownloader downloader, IJobJournal journal, SaveTargets targets, SaveOptions options, Action<FileInfo, DreaminaJob> saved,
            IOutputSink sink, CancellationToken cancel)
        {
            _api = api;
            _downloader = downloader;
            _journal = journal;
            _targets = targets;
            _saved = saved;
            _sink = sink;
            _progress = new ProgressLine(sink, 0x0D7F, "Saving Dreamina videos");
            _overwrite = options.Overwrite;
            _metadataVersion = options.MetadataVersion;
            _throttle = new SemaphoreSlim(options.ThrottleLimit);
            _cancel = cancel;
        }

        /// <summary>The error that every later job would meet too (the token), if one stopped the run.</summary>
        public DreaminaException? Fatal => Volatile.Read(ref _fatal);

        /// <param name="chosenName">The file name -FileName gave this job (made on the pipeline thread), or null.</param>
        public void Add(DreaminaJob job, string? chosenName = null)
        {
            if (job.RequestId is null)
            {
                _sink.Error(JobErrors.Unconfirmed(job), job);
                return;
            }
            lock (_saves) _saves.Add(Task.Run(() => SaveAsync(job, chosenName)));
        }

        public Task WhenDone()
        {
            lock (_saves) return Task.WhenAll(_saves.ToArray());
        }

        public void Finish() => _progress.Complete();

        private async Task SaveAsync(DreaminaJob job, string? chosenName)
        {
            try
            {
                await _throttle.WaitAsync(_cancel).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            try
            {
                if (Fatal is not null) return;
                // Every video already saved by an earlier run: nothing to ask RunComfy, nothing to download.
                var saved = job.VideoUris.Count > 0 && Enumerable.Range(0, job.VideoUris.Count).All(i => AlreadySaved(job, _targets.For(job, i, chosenName)) is not null);
                if (!saved) await EnsureVideoAsync(job).ConfigureAwait(false);
                for (var i = 0; i < job.VideoUris.Count; i++)
                {
                    var index = i;
                    var target = _targets.For(job, index, chosenName);
                    var file = AlreadySaved(job, target);
                    if (file is not null) _sink.Verbose($"The video of job {job.RequestId} is already saved as {target}; not downloaded again.");
                    file ??= await _downloader.DownloadAsync(job.VideoUris[index], target, job.RequestId!, _overwrite,
                        (have, total) => Progress(job, index, have, total), _cancel).ConfigureAwait(false);
                    await Keep(job, file).ConfigureAwait(false);
                }
            }
            catch (DreaminaException e)
            {
                if (BatchErrors.StopsTheBatch(e)) Interlocked.CompareExchange(ref _fatal, e, null);
                else _sink.Error(e, job);
            }
            catch (OperationCanceledException) when (_cancel.IsCancellationRequested)
            {
            }
            finally
            {
                _throttle.Release();
                Interlocked.Increment(ref _done);
                ShowProgress(force: true);
            }
        }

        // A job piped straight from Start-DreaminaVideo, known only by id, or whose link may have expired (or was
        // kept without its signature) is asked for its result first.
        private async Task EnsureVideoAsync(DreaminaJob job)
        {
            var seen = job.CheckedAt ?? job.FinishedAt;
            var stale = seen is { } at && DateTimeOffset.UtcNow - at > LinkLifetime;
            var unsigned = job.VideoUris.Any(u => u.OriginalString.Contains(Redactor.Mask));
            if ((job.VideoUris.Count == 0 || stale || unsigned) && job.Status is not (JobStatus.Failed or JobStatus.Cancelled))
            {
                job.Apply(await JobStatusReader.ReadAsync(_api, job, _cancel).ConfigureAwait(false));
            }
            if (job.VideoUris.Count > 0) return;
            var why = job.Status switch
            {
                JobStatus.Failed => $"it failed: {job.Error}",
                JobStatus.Cancelled => "it was cancelled",
                JobStatus.Completed => "RunComfy's result lists no video",
                _ => $"it is {job.Status.ToString().ToLowerInvariant()}; wait for it with Wait-DreaminaJob first",
            };
            throw new DreaminaException(ErrorIds.NoVideo, ErrorCategory.InvalidOperation, $"Job {job.RequestId} has no video to save: {why.TrimEnd('.')}.");
        }

        // This job's video is already there: saved and journaled by an earlier run, or moved into place by a run that stopped before journaling it.
        private FileInfo? AlreadySaved(DreaminaJob job, string target)
        {
            if (_overwrite) return null;
            return job.SavedTo == target && File.Exists(target) && Mp4Check.Problem(target) is null
                ? new FileInfo(target)
                : VideoDownloader.FinishedEarlier(target, job.RequestId!);
        }

        private async Task Keep(DreaminaJob job, FileInfo file)
        {
            job.SavedTo = file.FullName;
            try
            {
                await _journal.RecordAsync(job).ConfigureAwait(false);
                VideoDownloader.Settle(file.FullName);
            }
            catch (DreaminaException e)
            {
                _sink.Warning($"Job {job.RequestId} was saved as {file.FullName}, but the journal could not record it: {e.Message}");
            }
            _sink.Verbose($"Saved the video of job {job.RequestId} to {file.FullName}.");
            _saved(file, job);
            if (_metadataVersion is not null) VideoMetadata.WriteBeside(file.FullName, job, _metadataVersion);
        }

        private void Progress(DreaminaJob job, int index, long have, long? total)
        {
            lock (_bytes) _bytes[(job, index)] = (have, total);
            ShowProgress(force: false);
        }

        private void ShowProgress(bool force)
        {
            long bytes;
            long? known;
            int count;
            if (!_progress.IsDue(force)) return;
            lock (_bytes)
            {
                bytes = _bytes.Values.Sum(s => s.Have);
                known = _bytes.Values.All(s => s.Total is not null) ? _bytes.Values.Sum(s => s.Total!.Value) : null;
                lock (_saves) count = _saves.Count;
            }
            var rate = bytes / Math.Max(0.001, _clock.Elapsed.TotalSeconds);
            var status = string.Format(CultureInfo.InvariantCulture, "{0} of {1} saved; {2:0.0}{3} MB at {4:0.0} MB/s",
                Volatile.Read(ref _done), count, bytes / 1048576.0, known is { } all ? $" of {all / 1048576.0:0.0}" : "", rate / 1048576.0);
            _progress.Show(status, known is { } whole && whole > 0 ? (int)Math.Min(100, 100 * bytes / whole) : -1,
                known is { } size && rate > 0 && size > bytes ? (int)Math.Ceiling((size - bytes) / rate) : -1);
        }
    }
}
