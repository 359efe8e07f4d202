using Dreamina.Service;

namespace Dreamina.Waiting
{
    /// <summary>What the scheduler learned about a job, handed on to be applied and reported.</summary>
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
}
