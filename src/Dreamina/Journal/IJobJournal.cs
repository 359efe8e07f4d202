using System;
using System.Collections.Generic;
using System.Threading.Tasks;

namespace Dreamina.Journal
{
    /// <summary>
    /// Where every job this user submitted is kept, so nothing paid is lost: a file on this machine
    /// (<see cref="JobJournal"/>) or a table that many runners share (<see cref="TableJournal"/>). Both keep the
    /// same promises: a submission is written before it is sent, each change as it happens, and the day's
    /// spending apart from the job list, so that forgetting jobs never lowers it.
    /// </summary>
    internal interface IJobJournal
    {
        /// <summary>Where it is, for messages and Get-DreaminaConnection: a path, or the table's address without its SAS.</summary>
        string Location { get; }

        /// <summary>Writes the jobs' current state; the task ends once it is kept.</summary>
        /// <exception cref="DreaminaException"><see cref="ErrorIds.JournalUnavailable"/>, through the task.</exception>
        Task RecordAsync(params DreaminaJob[] jobs);

        /// <summary>
        /// Writes a submission before it is sent, and charges its estimated cost to the day, if the day's limit
        /// allows it (checked so that every process sharing the journal sees every other's charges).
        /// </summary>
        Task<SpendDecision> BeginSubmissionAsync(DreaminaJob intent, DailyLimit? limit);

        /// <summary>A submission that was never sent after all: forgotten, and its charge given back.</summary>
        Task WithdrawAsync(DreaminaJob intent);

        /// <summary>
        /// Takes in jobs kept elsewhere (Copy-DreaminaJob), as they stand: today's jobs that were not cancelled are
        /// charged to today here too, once, so a limit shared from now on counts what was already spent.
        /// </summary>
        Task ImportAsync(IReadOnlyCollection<DreaminaJob> jobs);

        /// <summary>Forgets jobs (Remove-DreaminaJob); the day's spending stays as it is.</summary>
        void Forget(IEnumerable<DreaminaJob> jobs);

        /// <summary>Live jobs in the order they were submitted; what cannot be read is skipped and reported.</summary>
        List<DreaminaJob> Read(Action<string> warn);
    }
}
