using System;
using System.Collections.Generic;
using System.Linq;

namespace Dreamina.Emulator;

public enum JobState { Queued, Running, Succeeded, Failed, Cancelled }

public sealed class EmulatedJob
{
    public required string Id { get; init; }
    public required string Token { get; init; }
    public required string Prompt { get; init; }
    /// <summary>The image's URL, or for an image sent inline a short stand-in (the bytes are not kept).</summary>
    public required string ImageUrl { get; init; }
    /// <summary>SHA-256 (lower-case hex) of an image sent inline, as decoded; null for a URL.</summary>
    public string? InlineImageSha256 { get; init; }
    public long Seed { get; init; }
    public int Frames { get; init; }
    public bool WillFail { get; init; }
    public TimeSpan RunTime { get; init; }
    public DateTimeOffset SubmittedAt { get; init; }
    public DateTimeOffset EligibleAt { get; init; }
    public DateTimeOffset? StartedAt { get; internal set; }
    public DateTimeOffset? FinishedAt { get; internal set; }
    /// <summary>When a client first got an answer saying the job had finished: how late it noticed is the difference.</summary>
    public DateTimeOffset? NoticedAt { get; internal set; }
    public JobState State { get; internal set; }
}

/// <summary>
/// A queue with a fixed number of slots, simulated lazily: each call first replays, in time order, every
/// start and finish that happened since the last call. No timers, so thousands of jobs cost nothing.
/// </summary>
internal sealed class JobQueue
{
    private readonly object _gate = new();
    private readonly Dictionary<string, EmulatedJob> _jobs = new();
    private readonly List<EmulatedJob> _queued = new();
    private readonly List<EmulatedJob> _running = new();
    private readonly Func<int> _concurrency;
    private readonly TimeProvider _clock;
    private DateTimeOffset _cursor = DateTimeOffset.MinValue;

    public JobQueue(Func<int> concurrency, TimeProvider clock)
    {
        _concurrency = concurrency;
        _clock = clock;
    }

    public int Count { get { lock (_gate) return _jobs.Count; } }

    public void Add(EmulatedJob job)
    {
        lock (_gate)
        {
            Advance();
            _jobs.Add(job.Id, job);
            _queued.Add(job);
            Advance();
        }
    }

    /// <summary>The job's state now, and its 1-based queue position while queued.</summary>
    public (EmulatedJob Job, int? QueuePosition)? Find(string id)
    {
        lock (_gate)
        {
            Advance();
            if (!_jobs.TryGetValue(id, out var job)) return null;
            var position = job.State == JobState.Queued ? _queued.IndexOf(job) + 1 : (int?)null;
            return (job, position);
        }
    }

    /// <summary>Cancels a queued job; false when it is already running or finished.</summary>
    public bool TryCancel(EmulatedJob job)
    {
        lock (_gate)
        {
            Advance();
            if (job.State != JobState.Queued) return false;
            _queued.Remove(job);
            job.State = JobState.Cancelled;
            job.FinishedAt = _clock.GetUtcNow();
            return true;
        }
    }

    /// <summary>Every job as it stands now, for figures computed over all of them.</summary>
    public IReadOnlyList<EmulatedJob> Snapshot()
    {
        lock (_gate)
        {
            Advance();
            return _jobs.Values.ToList();
        }
    }

    /// <summary>
    /// How the client kept the slots fed while it submitted: how long after the first submission every slot was
    /// first busy (null if they never all were), and the slot-seconds that sat idle with nothing queued from then
    /// until the last submission. Filling the slots takes at least a round trip whatever the client does; after
    /// that, an idle slot is time the service could have been working had the client submitted faster.
    /// </summary>
    public (double? FullAfterSeconds, double IdleSlotSeconds) SlotsWhileSubmitting()
    {
        var jobs = Snapshot();
        if (jobs.Count == 0) return (null, 0);
        var first = jobs.Min(j => j.SubmittedAt);
        var last = jobs.Max(j => j.SubmittedAt);
        var events = new List<(DateTimeOffset At, int Running, int Queued)>();
        foreach (var job in jobs)
        {
            events.Add((job.SubmittedAt, 0, +1));
            if (job.StartedAt is { } started) events.Add((started, +1, -1));
            else if (job.State == JobState.Cancelled && job.FinishedAt is { } gone) events.Add((gone, 0, -1));
            if (job.StartedAt is not null && job.FinishedAt is { } finished) events.Add((finished, -1, 0));
        }
        var concurrency = _concurrency();
        DateTimeOffset? full = null;
        double idle = 0;
        int running = 0, queued = 0;
        var at = first;
        foreach (var e in events.OrderBy(e => e.At))
        {
            var end = e.At < last ? e.At : last;
            if (full is not null && end > at && queued == 0 && running < concurrency) idle += (end - at).TotalSeconds * (concurrency - running);
            if (e.At > at) at = e.At;
            running += e.Running;
            queued += e.Queued;
            if (full is null && running >= concurrency) full = e.At;
            if (at >= last) break;
        }
        return ((full - first)?.TotalSeconds, idle);
    }

    public IReadOnlyDictionary<JobState, int> CountByState()
    {
        lock (_gate)
        {
            Advance();
            return _jobs.Values.GroupBy(j => j.State).ToDictionary(g => g.Key, g => g.Count());
        }
    }

    private void Advance()
    {
        var now = _clock.GetUtcNow();
        while (true)
        {
            var finishing = _running.Count == 0 ? null : _running.MinBy(j => j.StartedAt + j.RunTime);
            var finishAt = finishing?.StartedAt + finishing?.RunTime;
            DateTimeOffset? startAt = _running.Count < _concurrency() && _queued.Count > 0
                ? Max(_queued[0].EligibleAt, _cursor)
                : null;

            if (finishAt is { } f && f <= now && (startAt is null || f <= startAt))
            {
                _running.Remove(finishing!);
                finishing!.State = finishing.WillFail ? JobState.Failed : JobState.Succeeded;
                finishing.FinishedAt = f;
                _cursor = Max(_cursor, f);
            }
            else if (startAt is { } s && s <= now)
            {
                var job = _queued[0];
                _queued.RemoveAt(0);
                job.State = JobState.Running;
                job.StartedAt = s;
                _running.Add(job);
                _cursor = Max(_cursor, s);
            }
            else
            {
                return;
            }
        }
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;
}
