using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using Dreamina.Journal;
using Dreamina.Reporting;
using Dreamina.Service;

namespace Dreamina.Waiting
{
    /// <summary>
    /// Waiting for a set of jobs: applies what the scheduler learns, journals the changes that matter (queued,
    /// running, finished; not every queue position), says each in verbose text, shows one progress bar with an
    /// estimate of the time left, and hands on each job the moment it finishes (failed ones as errors). It works
    /// the same for a pipeline and for a background job: everything goes out through its sink.
    /// </summary>
    internal sealed class WaitRun : IDisposable
    {
        private readonly IJobJournal _journal;
        private readonly IOutputSink _sink;
        private readonly PollScheduler _scheduler;
        private readonly object _gate = new object();
        private readonly Dictionary<string, DreaminaJob> _open = new Dictionary<string, DreaminaJob>();
        private readonly TaskCompletionSource<bool> _firstFinished = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource<bool> _allFinished = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        private DreaminaException? _fatal;
        private int _total;
        private int _finished;
        private bool _closed;
        private readonly ProgressLine _progress;

        public WaitRun(IRunComfyApi api, IJobJournal journal, WaitSettings settings, IOutputSink sink, CancellationToken cancel)
        {
            _journal = journal;
            _sink = sink;
            _progress = new ProgressLine(sink, 0x0D7E, "Waiting for Dreamina jobs");
            _scheduler = new PollScheduler(api, settings, sink, Apply, cancel);
        }

        /// <summary>Done when every job added has finished (after <see cref="Close"/>).</summary>
        public Task AllFinished => _allFinished.Task;
        /// <summary>Done when any one job has finished.</summary>
        public Task FirstFinished => _firstFinished.Task;

        public IReadOnlyList<string> Unfinished { get { lock (_gate) return _open.Keys.ToList(); } }

        /// <summary>The error that ended the whole wait (a missing or refused token), if one did.</summary>
        public DreaminaException? Fatal => Volatile.Read(ref _fatal);

        /// <summary>Follows a job; one already finished with its result known is handed on at once. Any thread.</summary>
        public void Add(DreaminaJob job)
        {
            if (job.RequestId is null)
            {
                _sink.Error(JobErrors.Unconfirmed(job), job);
                return;
            }
            var known = job.Status == JobStatus.Cancelled || (job.Status == JobStatus.Completed && job.VideoUri is not null);
            lock (_gate)
            {
                if (_open.ContainsKey(job.RequestId)) return;
                _total++;
                if (!known) _open.Add(job.RequestId, job);
            }
            if (known) Finish(job, null);
            else _scheduler.Follow(job);
        }

        /// <summary>No more jobs will be added.</summary>
        public void Close()
        {
            lock (_gate) _closed = true;
            CheckDone();
        }

        /// <summary>Stops following; the jobs not finished keep running at RunComfy. Clears the progress bar.</summary>
        public void Stop()
        {
            _scheduler.Stop();
            _progress.Complete();
        }

        public void Dispose() => _scheduler.Dispose();

        private void Apply(WaitEvent e)
        {
            // Every other job would meet it too: the wait ends at once, with this one error.
            if (e.Error is { } error && BatchErrors.StopsTheBatch(error))
            {
                if (Interlocked.CompareExchange(ref _fatal, error, null) is not null) return;
                _scheduler.Stop();
                _firstFinished.TrySetResult(true);
                _allFinished.TrySetResult(true);
                return;
            }
            var job = e.Job;
            JobStatus before;
            lock (_gate)
            {
                if (!_open.ContainsKey(job.RequestId!)) return;
                before = job.Status;
                if (e.Snapshot is not null) job.Apply(e.Snapshot);
                if (e.IsFinal) _open.Remove(job.RequestId!);
            }
            if (job.Status == before && !e.IsFinal)
            {
                ShowProgress(force: false);
                return;
            }
            Say(job);
            var recorded = Record(job);
            // A finished job is handed on once its end is on disk, so a script (or process) that ends right after
            // the wait never leaves it journaled as still queued or running.
            if (e.IsFinal) recorded.ContinueWith(_ => Finish(job, e.Error), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            else ShowProgress(force: false);
        }

        // Never faults: a journal that cannot be written is a warning here (the job itself is already journaled).
        private Task Record(DreaminaJob job)
            => _journal.RecordAsync(job).ContinueWith(t =>
            {
                if (t.IsFaulted) _sink.Warning($"The latest state of job {job.RequestId} was not written to the journal: {t.Exception!.GetBaseException().Message}");
            }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

        private void Finish(DreaminaJob job, DreaminaException? lost)
        {
            if (lost is not null) _sink.Error(lost, job);
            else if (job.Status == JobStatus.Failed)
            {
                _sink.Error(new DreaminaException(ErrorIds.JobFailed, ErrorCategory.InvalidResult,
                    $"Job {job.RequestId} failed at RunComfy{(job.ErrorCode is null ? "" : $" ({job.ErrorCode})")}: {job.Error?.TrimEnd('.') ?? "no reason given"}. Change the prompt or image and submit again."), job);
            }
            else _sink.Output(job);
            lock (_gate) _finished++;
            _firstFinished.TrySetResult(true);
            ShowProgress(force: true);
            CheckDone();
        }

        // Done once every job is handed on, not merely known finished: a job another thread is still writing out
        // must not be outrun by the end of the run.
        private void CheckDone()
        {
            lock (_gate) if (!_closed || _finished < _total) return;
            _allFinished.TrySetResult(true);
        }

        private void Say(DreaminaJob job)
        {
            var what = job.Status switch
            {
                JobStatus.Queued => job.QueuePosition is { } position ? $"queued at position {position.ToString(CultureInfo.InvariantCulture)}" : "queued",
                JobStatus.Running => "running",
                JobStatus.Completed => $"completed after {Clock(job.Elapsed)}",
                JobStatus.Failed => $"failed after {Clock(job.Elapsed)}",
                JobStatus.Cancelled => "cancelled",
                _ => $"'{job.ServiceStatus}'",
            };
            _sink.Verbose($"Job {job.RequestId}: {what}.");
        }

        private void ShowProgress(bool force)
        {
            int open, queued, running, finished, total;
            int? front;
            if (!_progress.IsDue(force)) return;
            lock (_gate)
            {
                open = _open.Count;
                queued = _open.Values.Count(j => j.Status == JobStatus.Queued);
                running = _open.Values.Count(j => j.Status == JobStatus.Running);
                front = _open.Values.Where(j => j.QueuePosition is not null).Select(j => j.QueuePosition).Min();
                finished = _finished;
                total = _total;
            }
            var left = open == 0 ? TimeSpan.Zero : _scheduler.ExpectedLastFinish() - DateTime.UtcNow;
            // Short enough for the one-line progress view of an 80-column terminal, even with thousands of jobs.
            var status = string.Format(CultureInfo.InvariantCulture, "{0}/{1} done, {2} running, {3} queued{4}",
                finished, total, running, queued, front is { } f ? $" (front at {f})" : "");
            _progress.Show(status, total == 0 ? 0 : Math.Min(100, 100 * finished / total), left is { } l && l > TimeSpan.Zero ? (int)Math.Ceiling(l.TotalSeconds) : -1);
        }

        private static string Clock(TimeSpan? elapsed) => elapsed is { } e ? string.Format(CultureInfo.InvariantCulture, "{0:00}:{1:00}", Math.Floor(e.TotalMinutes), e.Seconds) : "?";
    }
}
