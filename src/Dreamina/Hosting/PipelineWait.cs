using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using Dreamina.Waiting;

namespace Dreamina.Hosting
{
    /// <summary>
    /// The pipeline side of waiting: applies what the pollers report, keeps the journal current, shows one
    /// progress bar, and emits each job the moment it finishes (failed ones as errors).
    /// </summary>
    internal sealed class PipelineWait : IDisposable
    {
        private const int ProgressId = 0x0D7E;
        private static readonly TimeSpan ProgressEvery = TimeSpan.FromMilliseconds(250);
        private readonly DreaminaCmdlet _cmdlet;
        private readonly JobWaiter _waiter;
        private readonly Dictionary<string, DreaminaJob> _open = new Dictionary<string, DreaminaJob>();
        private int _total;
        private int _finished;
        private DateTime _lastProgress = DateTime.MinValue;

        public PipelineWait(DreaminaCmdlet cmdlet, WaitSettings settings)
        {
            _cmdlet = cmdlet;
            _waiter = new JobWaiter(cmdlet.Client, settings, cmdlet, e => cmdlet.Post(() => Apply(e)), cmdlet.Cancellation);
        }

        public int Finished => _finished;
        public int Open => _open.Count;

        /// <summary>Follows a job; one already finished with its result known is emitted at once.</summary>
        public void Add(DreaminaJob job)
        {
            if (_open.ContainsKey(job.RequestId)) return;
            _total++;
            if (job.Status == JobStatus.Cancelled || (job.Status == JobStatus.Completed && job.VideoUri is not null))
            {
                Emit(job, null);
                return;
            }
            _open.Add(job.RequestId, job);
            _waiter.Follow(job);
        }

        /// <summary>Runs until every job finished, the deadline passed, or (with <paramref name="any"/>) one finished.</summary>
        public void Run(DateTime? deadlineUtc, bool any)
        {
            var finishedBefore = _finished;
            var done = _cmdlet.PumpUntil(() => _open.Count == 0 || (any && _finished > finishedBefore), deadlineUtc);
            if (!done) _cmdlet.WriteVerbose($"Stopped waiting at the time limit; {_open.Count} job(s) still running at RunComfy: {string.Join(", ", _open.Keys)}.");
            _waiter.Stop();
            _cmdlet.WriteProgress(new ProgressRecord(ProgressId, "Waiting for Dreamina jobs", "Done") { RecordType = ProgressRecordType.Completed });
        }

        public void Dispose() => _waiter.Dispose();

        private void Apply(WaitEvent e)
        {
            if (!_open.ContainsKey(e.Job.RequestId)) return;
            var job = e.Job;
            var before = (job.Status, job.QueuePosition);
            if (e.Snapshot is not null) job.Apply(e.Snapshot);
            if (e.IsFinal)
            {
                _open.Remove(job.RequestId);
                _cmdlet.Remember(job);
                Emit(job, e.Error);
            }
            else if (before != (job.Status, job.QueuePosition))
            {
                _cmdlet.Remember(job);
            }
            ShowProgress(force: e.IsFinal);
        }

        private void Emit(DreaminaJob job, DreaminaException? lost)
        {
            _finished++;
            if (lost is not null)
            {
                _cmdlet.WriteError(lost.ToErrorRecord(job));
            }
            else if (job.Status == JobStatus.Failed)
            {
                var error = new DreaminaException(ErrorIds.JobFailed, ErrorCategory.InvalidResult,
                    $"Job {job.RequestId} failed at RunComfy{(job.ErrorCode is null ? "" : $" ({job.ErrorCode})")}: {job.Error ?? "no reason given"}. Change the prompt or image and submit again.");
                _cmdlet.WriteError(error.ToErrorRecord(job));
            }
            else
            {
                _cmdlet.WriteObject(job);
            }
        }

        private void ShowProgress(bool force)
        {
            var now = DateTime.UtcNow;
            if (!force && now - _lastProgress < ProgressEvery) return;
            _lastProgress = now;
            var queued = _open.Values.Where(j => j.Status == JobStatus.Queued).ToList();
            var running = _open.Values.Count(j => j.Status == JobStatus.Running);
            var next = queued.Where(j => j.QueuePosition is not null).Select(j => j.QueuePosition!.Value).DefaultIfEmpty().Min();
            var status = string.Format(CultureInfo.InvariantCulture, "{0} queued{1}, {2} running, {3} of {4} done",
                queued.Count, next > 0 ? $" (next at position {next})" : "", running, _finished, _total);
            _cmdlet.WriteProgress(new ProgressRecord(ProgressId, "Waiting for Dreamina jobs", status)
            {
                PercentComplete = _total == 0 ? 0 : Math.Min(100, 100 * _finished / _total),
            });
        }
    }
}
