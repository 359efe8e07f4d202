using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;

namespace Dreamina.Emulator;

/// <summary>What the emulator has seen, so tests and benchmarks can count requests and prove what was never sent.</summary>
public sealed class EmulatorStats
{
    private readonly ConcurrentDictionary<EmulatorEndpoint, long> _byEndpoint = new();
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<EmulatorEndpoint, long>> _byRequestId = new();
    private readonly ConcurrentDictionary<long, int> _perSecond = new();
    private int _inFlight, _peakInFlight, _connections, _peakConnections;
    private long _storageAuthorizationHeaders, _faults;

    public long Requests(EmulatorEndpoint endpoint) => _byEndpoint.GetValueOrDefault(endpoint);

    public long Requests(string requestId, EmulatorEndpoint endpoint)
        => _byRequestId.TryGetValue(requestId, out var counts) ? counts.GetValueOrDefault(endpoint) : 0;

    /// <summary>Requests to every API endpoint (not downloads, samples or these stats).</summary>
    public long ApiRequests => _byEndpoint.Where(p => p.Key != EmulatorEndpoint.Download).Sum(p => p.Value);

    public int PeakRequestsInFlight => Volatile.Read(ref _peakInFlight);
    public int PeakConnections => Volatile.Read(ref _peakConnections);
    /// <summary>Requests to the storage origin that carried an Authorization header: must stay 0.</summary>
    public long StorageAuthorizationHeaders => Interlocked.Read(ref _storageAuthorizationHeaders);
    public long FaultsInjected => Interlocked.Read(ref _faults);

    public void Reset()
    {
        _byEndpoint.Clear();
        _byRequestId.Clear();
        _perSecond.Clear();
        Volatile.Write(ref _peakInFlight, Volatile.Read(ref _inFlight));
        Volatile.Write(ref _peakConnections, Volatile.Read(ref _connections));
        Interlocked.Exchange(ref _storageAuthorizationHeaders, 0);
        Interlocked.Exchange(ref _faults, 0);
    }

    internal void Count(EmulatorEndpoint endpoint, string? requestId)
    {
        _byEndpoint.AddOrUpdate(endpoint, 1, (_, n) => n + 1);
        if (endpoint is not (EmulatorEndpoint.Download or EmulatorEndpoint.Sample)) _perSecond.AddOrUpdate(DateTime.UtcNow.Ticks / TimeSpan.TicksPerSecond, 1, (_, n) => n + 1);
        if (requestId is null) return;
        _byRequestId.GetOrAdd(requestId, _ => new()).AddOrUpdate(endpoint, 1, (_, n) => n + 1);
    }

    internal void CountFault() => Interlocked.Increment(ref _faults);
    internal void CountStorageAuthorization() => Interlocked.Increment(ref _storageAuthorizationHeaders);

    internal void RequestStarted() => Raise(ref _peakInFlight, Interlocked.Increment(ref _inFlight));
    internal void RequestEnded() => Interlocked.Decrement(ref _inFlight);
    internal void ConnectionOpened() => Raise(ref _peakConnections, Interlocked.Increment(ref _connections));
    internal void ConnectionClosed() => Interlocked.Decrement(ref _connections);

    /// <summary>The most API requests in any one second.</summary>
    public int PeakRequestsPerSecond => _perSecond.Values.DefaultIfEmpty(0).Max();

    internal object Snapshot(JobQueue queue) => new Dictionary<string, object>
    {
        ["peak_requests_per_second"] = PeakRequestsPerSecond,
        ["jobs"] = Jobs(queue),
        ["requests"] = _byEndpoint.ToDictionary(p => p.Key.ToString().ToLowerInvariant(), p => p.Value),
        ["requests_by_id"] = _byRequestId.ToDictionary(p => p.Key, p => p.Value.ToDictionary(q => q.Key.ToString().ToLowerInvariant(), q => q.Value)),
        ["peak_requests_in_flight"] = PeakRequestsInFlight,
        ["peak_connections"] = PeakConnections,
        ["storage_authorization_headers"] = StorageAuthorizationHeaders,
        ["faults_injected"] = FaultsInjected,
    };

    private static void Raise(ref int peak, int value)
    {
        int seen;
        while (value > (seen = Volatile.Read(ref peak)) && Interlocked.CompareExchange(ref peak, value, seen) != seen) { }
    }

    /// <summary>
    /// How well a client followed the jobs: how late it noticed each finish, how many status and result requests
    /// each finished job took against a budget of one per 2.5 s it was open plus its first and its last, and the
    /// slot time left idle while it was still submitting.
    /// </summary>
    private Dictionary<string, object?> Jobs(JobQueue queue)
    {
        var jobs = queue.Snapshot();
        var slots = queue.SlotsWhileSubmitting();
        var noticed = jobs.Where(j => j.NoticedAt is not null && j.FinishedAt is not null).ToList();
        var late = noticed.Select(j => (j.NoticedAt!.Value - j.FinishedAt!.Value).TotalSeconds).ToList();
        var polls = noticed.Select(j => (Polls: Requests(j.Id, EmulatorEndpoint.Status) + Requests(j.Id, EmulatorEndpoint.Result),
            Allowed: (j.NoticedAt!.Value - j.SubmittedAt).TotalSeconds / 2.5 + 2)).ToList();
        return new Dictionary<string, object?>
        {
            ["count"] = jobs.Count,
            ["noticed"] = noticed.Count,
            ["notice_seconds_mean"] = late.DefaultIfEmpty(0).Average(),
            ["notice_seconds_max"] = late.DefaultIfEmpty(0).Max(),
            ["polls_per_job_mean"] = polls.Select(p => (double)p.Polls).DefaultIfEmpty(0).Average(),
            ["polls_over_budget"] = polls.Count(p => p.Polls > p.Allowed),
            ["submitting_seconds"] = jobs.Count == 0 ? 0 : (jobs.Max(j => j.SubmittedAt) - jobs.Min(j => j.SubmittedAt)).TotalSeconds,
            ["slots_full_after_seconds"] = slots.FullAfterSeconds,
            ["idle_slot_seconds_while_submitting"] = slots.IdleSlotSeconds,
        };
    }
}
