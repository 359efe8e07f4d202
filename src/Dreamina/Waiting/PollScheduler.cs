using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using Dreamina.Reporting;
using Dreamina.Service;

namespace Dreamina.Waiting
{
    /// <summary>
    /// Follows many jobs with one loop: each job has a time its next poll is due (<see cref="PollPlan"/>), at most
    /// ThrottleLimit requests are in flight and MaxPollRate start per second, and when there is not budget for
    /// every due job, the jobs nearest to finishing go first. A job seen running is asked /result, which carries
    /// the video the moment it is done; a queued job is asked /status, which carries its queue position.
    /// It never changes the job objects: what it learns goes out through the report callback.
    /// </summary>
    internal sealed class PollScheduler : IDisposable
    {
        private readonly IRunComfyApi _api;
        private readonly WaitSettings _settings;
        private readonly IActivityLog _log;
        private readonly Action<WaitEvent> _report;
        private readonly CancellationTokenSource _stop;
        private readonly object _gate = new object();
        private readonly Dictionary<string, TrackedJob> _tracked = new Dictionary<string, TrackedJob>();
        private TaskCompletionSource<bool> _wake = NewWake();
        private readonly PollBudget _budget;
        private double? _slowestPlannedRate;
        private bool _running;
        private long _lastAnswerTicks = DateTime.UtcNow.Ticks;

        public PollScheduler(IRunComfyApi api, WaitSettings settings, IActivityLog log, Action<WaitEvent> report, CancellationToken cancel)
        {
            _api = api;
            _settings = settings;
            _log = log;
            _report = report;
            _stop = CancellationTokenSource.CreateLinkedTokenSource(cancel);
            _budget = new PollBudget(settings);
        }

        public QueueEstimator Estimates { get; } = new QueueEstimator();

        /// <summary>Starts following a job; its last report is a finished snapshot or a lost-job error.</summary>
        public void Follow(DreaminaJob job)
        {
            var now = DateTime.UtcNow;
            lock (_gate)
            {
                if (_tracked.ContainsKey(job.RequestId!)) return;
                _tracked.Add(job.RequestId!, new TrackedJob(job, now)
                {
                    Status = job.Status,
                    Position = job.QueuePosition,
                    PositionSeenAt = job.QueuePosition is null ? null : now,
                    Due = PollPlan.FirstPoll(job.SubmittedAt?.UtcDateTime ?? now, now, _settings),
                });
                if (!_running)
                {
                    _running = true;
                    _ = Task.Run(LoopAsync);
                }
            }
            Wake();
        }

        /// <summary>When the last job followed now is expected to finish, if the queue has shown enough to say.</summary>
        public DateTime? ExpectedLastFinish()
        {
            var now = DateTime.UtcNow;
            var runTime = Estimates.RunTime;
            lock (_gate)
            {
                DateTime? last = null;
                foreach (var job in _tracked.Values)
                {
                    DateTime? finish = job.Status switch
                    {
                        JobStatus.Running when job.RunningSince is { } started && runTime is { } run => Later(started + run, now),
                        JobStatus.Queued when job.Position is { } position && Estimates.UntilStart(position) is { } wait && runTime is { } run => now + wait + run,
                        _ => null,
                    };
                    if (finish is null) return null;
                    if (last is null || finish > last) last = finish;
                }
                return last;
            }
        }

        /// <summary>Stops every poll; the jobs keep running at RunComfy.</summary>
        public void Stop() => _stop.Cancel();

        public void Dispose()
        {
            _stop.Cancel();
            _stop.Dispose();
        }

        private async Task LoopAsync()
        {
            var cancel = _stop.Token;
            try
            {
                while (!cancel.IsCancellationRequested)
                {
                    List<TrackedJob> start;
                    TimeSpan sleep;
                    Task woken;
                    lock (_gate)
                    {
                        woken = _wake.Task;
                        (start, sleep) = PickDue(DateTime.UtcNow);
                    }
                    foreach (var job in start) _ = PollAsync(job, cancel);
                    if (start.Count == 0) await Task.WhenAny(woken, Task.Delay(sleep, cancel)).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException)
            {
                // Waiting was stopped; the jobs themselves run on.
            }
        }

        // The due jobs that the throttle and the rate allow now, nearest to finishing first; and how long to sleep otherwise.
        private (List<TrackedJob> Start, TimeSpan Sleep) PickDue(DateTime now)
        {
            _budget.Refill(now);
            var start = new List<TrackedJob>();
            var waiting = _tracked.Values.Where(t => !t.InFlight).ToList();
            foreach (var job in waiting.Where(t => t.Due <= now).OrderBy(t => t.Priority).ThenBy(t => t.Due))
            {
                if (!_budget.TryStart()) break;
                job.InFlight = true;
                start.Add(job);
            }
            // Asleep until the next job is due, a token is back, or (when the throttle is full) a poll ends and wakes the loop.
            var next = waiting.Where(t => !t.InFlight).Select(t => (DateTime?)t.Due).Min();
            var sleep = next is { } due ? due - now : TimeSpan.FromMinutes(1);
            if (next <= now) sleep = _budget.IsFull ? TimeSpan.FromMinutes(1) : _budget.UntilNextStart;
            return (start, sleep < TimeSpan.FromMilliseconds(1) ? TimeSpan.FromMilliseconds(1) : sleep);
        }

        private async Task PollAsync(TrackedJob job, CancellationToken cancel)
        {
            var id = job.Job.RequestId!;
            try
            {
                // A running job's /result says when it is done and carries the video in the same answer.
                var snapshot = job.Status == JobStatus.Running
                    ? await _api.At(job.Job.ServiceUri).GetResultAsync(id, cancel).ConfigureAwait(false)
                    : await JobStatusReader.ReadAsync(_api, job.Job, cancel).ConfigureAwait(false);
                Interlocked.Exchange(ref _lastAnswerTicks, DateTime.UtcNow.Ticks);
                if (Observe(job, snapshot, DateTime.UtcNow) is { } lost) _report(WaitEvent.Lost(job.Job, lost));
                else _report(WaitEvent.Progress(job.Job, snapshot));
            }
            catch (DreaminaException e) when (e.IsTransient)
            {
                var silentFor = DateTime.UtcNow - new DateTime(Interlocked.Read(ref _lastAnswerTicks), DateTimeKind.Utc);
                if (silentFor > _settings.UnreachableLimit)
                {
                    GiveUpOnAll(e, silentFor);
                    return;
                }
                _log.Warning($"Job {id}: {e.Message} Still waiting.");
                lock (_gate) job.Due = PollPlan.AfterFailure(DateTime.UtcNow, _settings);
            }
            catch (DreaminaException e)
            {
                Interlocked.Exchange(ref _lastAnswerTicks, DateTime.UtcNow.Ticks);
                lock (_gate) _tracked.Remove(id);
                _report(WaitEvent.Lost(job.Job, e));
            }
            catch (OperationCanceledException)
            {
            }
            finally
            {
                lock (_gate)
                {
                    job.InFlight = false;
                    _budget.Finished();
                }
                Wake();
            }
        }

        // Nothing usable has come back for longer than the limit: an unattended script is not held for ever. Every job
        // followed ends with its own error; each stays in the journal, and at RunComfy, to be followed later.
        private void GiveUpOnAll(DreaminaException last, TimeSpan silentFor)
        {
            List<TrackedJob> all;
            lock (_gate)
            {
                all = _tracked.Values.ToList();
                _tracked.Clear();
            }
            foreach (var job in all)
            {
                _report(WaitEvent.Lost(job.Job, new DreaminaException(ErrorIds.ServiceUnreachable, ErrorCategory.ConnectionError,
                    $"Stopped waiting for job {job.Job.RequestId}: RunComfy has given no usable answer for {silentFor.TotalMinutes:0.#} minutes (the limit set by Connect-Dreamina -UnreachableTimeoutSec; last: {last.Message.TrimEnd('.')}). " +
                    "The job is still in the journal and may still finish at RunComfy: follow it later with Get-DreaminaJob -Status Queued, Running | Wait-DreaminaJob.", last)));
            }
        }

        // Updates what is known of the job and of the queue, and when to ask next; an error when the job cannot be followed further.
        private DreaminaException? Observe(TrackedJob job, JobSnapshot snapshot, DateTime now)
        {
            lock (_gate)
            {
                var seenBefore = job.PolledAt;
                var between = seenBefore + TimeSpan.FromTicks((now - seenBefore).Ticks / 2);
                // A job seen queued twice says how fast the queue moves. One that left the queue meanwhile left at
                // some unknown moment: it says only that the queue moved. Guessing the moment would make a queue
                // look slower the more seldom it was asked about, and a queue thought slow is asked about too late.
                var stoodFor = Estimates.StandingSince is { } since ? now - since : TimeSpan.Zero;
                if (job.Status == JobStatus.Queued && job.Position is { } from && job.PositionSeenAt is { } at)
                {
                    if (snapshot.Status == JobStatus.Queued && snapshot.QueuePosition is { } to) Estimates.Moved(from, to, now - at, now);
                    else if (snapshot.Status != JobStatus.Unknown) Estimates.Left(now);
                }
                if (snapshot.Status == JobStatus.Running && job.Status != JobStatus.Running) job.RunningSince = between;
                if (snapshot.IsFinished && job.Status == JobStatus.Running && job.RunningSince is { } started) Estimates.Finished(between - started);

                if (snapshot.Status == JobStatus.Unknown)
                {
                    if (job.UnknownSince is null)
                    {
                        job.UnknownSince = now;
                        _log.Verbose($"Job {job.Job.RequestId}: the service said '{snapshot.Word}', a status this module does not know; treating it as still open.");
                    }
                    if (now - job.UnknownSince > _settings.UnknownStatusLimit)
                    {
                        _tracked.Remove(job.Job.RequestId!);
                        return new DreaminaException(ErrorIds.JobStatusUnknown, ErrorCategory.InvalidResult,
                            $"Job {job.Job.RequestId} has reported the unknown status '{snapshot.Word}' for over {_settings.UnknownStatusLimit.TotalMinutes:0} minutes; stopped waiting. The job is still in the journal; check it later with Get-DreaminaStatus.");
                    }
                }
                else
                {
                    job.UnknownSince = null;
                    job.Status = snapshot.Status;
                }
                job.Position = snapshot.Status == JobStatus.Queued ? snapshot.QueuePosition : null;
                job.PositionSeenAt = job.Position is null ? null : now;
                job.PolledAt = now;
                // First what this answer says of the queue, then this job's own plan: the answer that shows the
                // queue moving again must not leave its own job planned with the speed of the standing still.
                FollowTheQueue(stoodFor, now);
                if (snapshot.IsFinished) _tracked.Remove(job.Job.RequestId!);
                else job.Due = PollPlan.NextPoll(job.Status, job.Position, job.RunningSince, now, Estimates, _settings);
                return null;
            }
        }

        // Queued jobs are planned with what the queue showed when they were last asked. When it starts moving after
        // standing still long enough to have spaced their polls out, or moves more than twice as fast as the
        // slowest of those plans assumed, the plans are wrong: every queued job is asked again at once, nearest
        // first, so a queue that stood still and then drains is not noticed late. (A queue whose slots free up in
        // bursts stands still between them; that alone costs no extra round.) Called under the lock.
        private void FollowTheQueue(TimeSpan stoodFor, DateTime now)
        {
            var startedMoving = Estimates.StandingSince is null && PollPlan.StoodLongerThanBlindBackOff(stoodFor, _settings);
            if (startedMoving) Estimates.ForgetStandingStill();
            var rate = Estimates.DrainRate;
            var spedUp = rate > 2 * _slowestPlannedRate;
            if (startedMoving || spedUp)
            {
                foreach (var job in _tracked.Values)
                {
                    if (!job.InFlight && job.Status == JobStatus.Queued && job.Due > now) job.Due = now;
                }
                _slowestPlannedRate = rate;
            }
            else if (rate is { } known)
            {
                _slowestPlannedRate = Math.Min(_slowestPlannedRate ?? known, known);
            }
        }

        private void Wake()
        {
            TaskCompletionSource<bool> wake;
            lock (_gate)
            {
                wake = _wake;
                _wake = NewWake();
            }
            wake.TrySetResult(true);
        }

        private static TaskCompletionSource<bool> NewWake() => new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);

        private static DateTime Later(DateTime a, DateTime b) => a > b ? a : b;

    }
}
