using System;

namespace Dreamina.Waiting
{
    /// <summary>What the scheduler knows of one job it follows, and when it asks next; changed under the scheduler's lock.</summary>
    internal sealed class TrackedJob
    {
        public TrackedJob(DreaminaJob job, DateTime followedAt)
        {
            Job = job;
            PolledAt = job.SubmittedAt?.UtcDateTime is { } submitted && submitted < followedAt ? submitted : followedAt;
        }

        public DreaminaJob Job { get; }
        /// <summary>When the service was last asked, or when the job was submitted: the other end of "it changed meanwhile".</summary>
        public DateTime PolledAt { get; set; }
        public JobStatus Status { get; set; }
        public int? Position { get; set; }
        public DateTime? PositionSeenAt { get; set; }
        public DateTime? RunningSince { get; set; }
        public DateTime? UnknownSince { get; set; }
        public DateTime Due { get; set; }
        public bool InFlight { get; set; }

        /// <summary>Which due job is asked first when the budget is short: the ones nearest to finishing.</summary>
        public int Priority => Status switch
        {
            JobStatus.Running => 0,
            JobStatus.Queued => 1 + Math.Min(Position ?? int.MaxValue - 2, int.MaxValue - 2),
            _ => int.MaxValue,
        };
    }
}
