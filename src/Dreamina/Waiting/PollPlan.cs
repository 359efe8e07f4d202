using System;

namespace Dreamina.Waiting
{
    internal sealed class WaitSettings
    {
        public const int DefaultThrottleLimit = 32;
        public const double DefaultMaxPollRate = 100;
        public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(2);
        /// <summary>Most status requests in flight at once, across all jobs.</summary>
        public int ThrottleLimit { get; set; } = DefaultThrottleLimit;
        /// <summary>Most status requests per second, across all jobs; the budget goes to the jobs nearest to finishing.</summary>
        public double MaxPollRate { get; set; } = DefaultMaxPollRate;
        /// <summary>The longest gap between polls of a running job, or of a queued job whose start cannot be estimated.</summary>
        public TimeSpan MaxPollInterval { get; set; } = TimeSpan.FromSeconds(30);
        /// <summary>
        /// The longest gap between polls of a job estimated to be far back in the queue. Long, because it is only a
        /// safety net: a queue that speeds up brings every queued job's next poll forward (see PollScheduler).
        /// </summary>
        public TimeSpan MaxQueuedInterval { get; set; } = TimeSpan.FromMinutes(10);
        /// <summary>How long a wait goes on while RunComfy gives no usable answer at all, before it ends (the jobs stay in the journal).</summary>
        public TimeSpan UnreachableLimit { get; set; } = TimeSpan.FromMinutes(15);
        /// <summary>How long a status word the module does not know is read as "still running".</summary>
        public TimeSpan UnknownStatusLimit { get; set; } = TimeSpan.FromMinutes(10);
    }

    /// <summary>
    /// When to ask about a job next, from what it last showed and what the queue has shown. A running job is
    /// asked every poll interval once it may be done, and not before; a queued job shortly before it can have
    /// started; a job nothing is known of yet, one poll interval after it was submitted.
    /// </summary>
    internal static class PollPlan
    {
        /// <summary>The fraction of an estimated wait to sleep through, leaving room for the estimate to be wrong.</summary>
        private const double Caution = 0.8;
        /// <summary>How many intervals apart a queued job is asked, at most, while the queue's speed is unknown.</summary>
        private const double BlindStretch = 4;
        private static readonly Random Jitter = new Random();

        public static DateTime FirstPoll(DateTime submittedUtc, DateTime nowUtc, WaitSettings settings)
        {
            var due = submittedUtc + settings.PollInterval;
            return due > nowUtc ? due : nowUtc;
        }

        public static DateTime NextPoll(JobStatus status, int? queuePosition, DateTime? runningSinceUtc, DateTime nowUtc, QueueEstimator estimates, WaitSettings settings)
        {
            var interval = settings.PollInterval;
            switch (status)
            {
                case JobStatus.Running when runningSinceUtc is { } started && estimates.RunTime is { } runTime:
                    // Not before it can be done: an estimate that is too early only costs a poll interval.
                    var mayBeDone = started + runTime;
                    return Clamp(mayBeDone - nowUtc, interval, settings.MaxPollInterval, nowUtc);
                case JobStatus.Queued when queuePosition <= 2:
                    // The front of the queue is where a queue that starts moving shows it first: always watched.
                    return nowUtc + interval;
                case JobStatus.Queued when queuePosition is { } position && estimates.UntilStart(position) is { } untilStart:
                    return Clamp(TimeSpan.FromTicks((long)(untilStart.Ticks * Caution)), interval, settings.MaxQueuedInterval, nowUtc);
                case JobStatus.Queued when queuePosition is { } position:
                    // How fast the queue moves is not known yet: back off with the position, not so far that the
                    // first measure comes late; but a queue that has stood still for a while is asked about as
                    // seldom, since the front of the queue shows the moment it moves (and then every job is asked).
                    var stretch = TimeSpan.FromTicks((long)(interval.Ticks * Math.Min(1 + (position - 2) / 4.0, BlindStretch)));
                    var standing = estimates.StandingSince is { } since ? nowUtc - since : TimeSpan.Zero;
                    return Clamp(standing > stretch ? standing : stretch, interval, settings.MaxQueuedInterval, nowUtc);
                default:
                    return nowUtc + interval;
            }
        }

        /// <summary>When to ask again after a failure that may pass: two to four intervals on, spread so that jobs that failed together do not return together.</summary>
        public static DateTime AfterFailure(DateTime nowUtc, WaitSettings settings)
        {
            double factor;
            lock (Jitter) factor = 2 + Jitter.NextDouble() * 2;
            return nowUtc + TimeSpan.FromTicks((long)(settings.PollInterval.Ticks * factor));
        }

        /// <summary>Whether a queue that stood still this long had jobs planned further apart than the blind back-off.</summary>
        public static bool StoodLongerThanBlindBackOff(TimeSpan standing, WaitSettings settings)
            => standing.Ticks > settings.PollInterval.Ticks * BlindStretch;

        private static DateTime Clamp(TimeSpan wait, TimeSpan least, TimeSpan most, DateTime nowUtc)
            => nowUtc + (wait < least ? least : wait > most ? (most > least ? most : least) : wait);
    }
}
