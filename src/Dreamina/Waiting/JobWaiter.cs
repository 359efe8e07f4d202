using System;
using System.Threading;
using System.Threading.Tasks;
using Dreamina.Service;

namespace Dreamina.Waiting
{
    internal sealed class WaitSettings
    {
        public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(2);
        /// <summary>Most status requests in flight at once, across all jobs.</summary>
        public int ThrottleLimit { get; set; } = 8;
        /// <summary>Jobs deep in the queue are polled less often, but at least this often.</summary>
        public TimeSpan MaxPollInterval { get; set; } = TimeSpan.FromSeconds(30);
        /// <summary>How long a status word the module does not know is read as "still running".</summary>
        public TimeSpan UnknownStatusLimit { get; set; } = TimeSpan.FromMinutes(10);
    }

    /// <summary>What a poller learned, handed to the pipeline thread to apply and report.</summary>
    internal sealed class WaitEvent
    {
        private WaitEvent(DreaminaJob job, JobSnapshot? snapshot, DreaminaException? error)
        {
            Job = job;
            Snapshot = snapshot;
            Error = error;
        }

        public DreaminaJob Job { get; }
        public JobSnapshot? Snapshot { get; }
        /// <summary>Set when the job can no longer be followed (not found, forbidden, unknown status for too long).</summary>
        public DreaminaException? Error { get; }
        public bool IsFinal => Error is not null || Snapshot?.IsFinished == true;

        public static WaitEvent Progress(DreaminaJob job, JobSnapshot snapshot) => new WaitEvent(job, snapshot, null);
        public static WaitEvent Lost(DreaminaJob job, DreaminaException error) => new WaitEvent(job, null, error);
    }

    /// <summary>
    /// Polls many jobs at once: spread out so requests do not arrive in bursts, at most ThrottleLimit in
    /// flight, slower for jobs deep in the queue. Reports through a callback and never touches the job
    /// objects itself, so the pipeline thread stays their only writer.
    /// </summary>
    internal sealed class JobWaiter : IDisposable
    {
        private static readonly Random Jitter = new Random();
        private readonly IRunComfyApi _api;
        private readonly WaitSettings _settings;
        private readonly IActivityLog _log;
        private readonly Action<WaitEvent> _report;
        private readonly SemaphoreSlim _throttle;
        private readonly CancellationTokenSource _stop;

        public JobWaiter(IRunComfyApi api, WaitSettings settings, IActivityLog log, Action<WaitEvent> report, CancellationToken cancel)
        {
            _api = api;
            _settings = settings;
            _log = log;
            _report = report;
            _throttle = new SemaphoreSlim(Math.Max(1, settings.ThrottleLimit));
            _stop = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        }

        /// <summary>Starts polling a job; its last report is a finished snapshot or a lost-job error.</summary>
        public void Follow(DreaminaJob job)
        {
            _ = Task.Run(() => PollAsync(job, _stop.Token));
        }

        /// <summary>Stops every poller; jobs keep running at RunComfy.</summary>
        public void Stop() => _stop.Cancel();

        public void Dispose()
        {
            _stop.Cancel();
            _stop.Dispose();
        }

        private async Task PollAsync(DreaminaJob job, CancellationToken cancel)
        {
            var id = job.RequestId;
            DateTimeOffset? unknownSince = null;
            try
            {
                // Start at a random point of the first interval, so a batch does not poll in step.
                await Task.Delay(Spread(_settings.PollInterval, 0, 1), cancel).ConfigureAwait(false);
                while (true)
                {
                    JobSnapshot snapshot;
                    try
                    {
                        snapshot = await ThrottledAsync(c => JobStatusReader.ReadAsync(_api, id, c), cancel).ConfigureAwait(false);
                        if (snapshot.IsFinished)
                        {
                            _report(WaitEvent.Progress(job, snapshot));
                            return;
                        }
                    }
                    catch (DreaminaException e) when (e.IsTransient)
                    {
                        _log.Warning($"Job {id}: {e.Message} Still waiting.");
                        await Task.Delay(Spread(_settings.PollInterval, 2, 4), cancel).ConfigureAwait(false);
                        continue;
                    }

                    if (snapshot.Status == JobStatus.Unknown)
                    {
                        unknownSince ??= DateTimeOffset.UtcNow;
                        _log.Verbose($"Job {id}: the service said '{snapshot.Word}', a status this module does not know; treating it as still running.");
                        if (DateTimeOffset.UtcNow - unknownSince > _settings.UnknownStatusLimit)
                        {
                            _report(WaitEvent.Lost(job, new DreaminaException(ErrorIds.JobStatusUnknown, System.Management.Automation.ErrorCategory.InvalidResult,
                                $"Job {id} has reported the unknown status '{snapshot.Word}' for over {_settings.UnknownStatusLimit.TotalMinutes:0} minutes; stopped waiting. The job is still in the journal; check it later with Get-DreaminaStatus.")));
                            return;
                        }
                    }
                    else
                    {
                        unknownSince = null;
                    }
                    _report(WaitEvent.Progress(job, snapshot));
                    await Task.Delay(NextDelay(snapshot.QueuePosition), cancel).ConfigureAwait(false);
                }
            }
            catch (DreaminaException e)
            {
                _report(WaitEvent.Lost(job, e));
            }
            catch (OperationCanceledException)
            {
                // Waiting was stopped; the job itself runs on.
            }
        }

        private async Task<T> ThrottledAsync<T>(Func<CancellationToken, Task<T>> call, CancellationToken cancel)
        {
            await _throttle.WaitAsync(cancel).ConfigureAwait(false);
            try { return await call(cancel).ConfigureAwait(false); }
            finally { _throttle.Release(); }
        }

        /// <summary>The poll interval, stretched for jobs far back in the queue (they cannot finish soon), with ±10% jitter.</summary>
        internal TimeSpan NextDelay(int? queuePosition)
        {
            var stretch = queuePosition is { } position && position > 2 ? Math.Min(1 + (position - 2) / 4.0, 8) : 1;
            var wanted = TimeSpan.FromTicks((long)(_settings.PollInterval.Ticks * stretch));
            var ceiling = _settings.MaxPollInterval > _settings.PollInterval ? _settings.MaxPollInterval : _settings.PollInterval;
            return Spread(wanted < ceiling ? wanted : ceiling, 0.9, 1.1);
        }

        private static TimeSpan Spread(TimeSpan interval, double low, double high)
        {
            double factor;
            lock (Jitter) factor = low + Jitter.NextDouble() * (high - low);
            return TimeSpan.FromTicks((long)(interval.Ticks * factor));
        }
    }
}
