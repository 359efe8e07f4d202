using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;

namespace Dreamina.Journal
{
    /// <summary>
    /// The journal in an Azure Storage table (<see cref="TableClient"/>), for runners that vanish and fleets that
    /// share a budget: one entity per job (its journal line, as the file keeps it), and each day's spending
    /// (<see cref="TableSpending"/>). Changes are grouped (<see cref="GroupCommit{T}"/>): every write waiting at a
    /// moment goes out together, a job's latest state only, several requests at once, in the order the changes
    /// came. The SAS is a secret: nothing the module shows holds it.
    /// </summary>
    internal sealed class TableJournal : IJobJournal
    {
        private const string Jobs = "job";
        private readonly TableClient _table;
        private readonly TableSpending _spending;
        private readonly GroupCommit<DreaminaJob> _writes;
        private readonly SettledCharges _settled = new SettledCharges();

        public TableJournal(TableClient table)
        {
            _table = table;
            _spending = new TableSpending(table);
            _writes = new GroupCommit<DreaminaJob>(WriteGroupAsync);
        }

        public string Location => _table.Location;

        /// <summary>Requests sent to the table so far (for the benchmark's table operations per job).</summary>
        public long Operations => _table.Operations;

        public Task RecordAsync(params DreaminaJob[] jobs) => _writes.Add(jobs);

        public async Task<SpendDecision> BeginSubmissionAsync(DreaminaJob intent, DailyLimit? limit)
        {
            var day = SpendingDay.Of(intent);
            var decision = await _spending.ChangeDayAsync(day, intent.Cost, limit, refund: false).ConfigureAwait(false);
            if (!decision.IsAllowed) return decision;
            // Charged before it is written: a crash between the two counts a job that was never sent (the safe side).
            await _table.SendAsync(HttpMethod.Put, JobEntity(intent), JobBody(intent, day), null, CancellationToken.None).ConfigureAwait(false);
            return decision;
        }

        public async Task WithdrawAsync(DreaminaJob intent)
        {
            await DeleteAsync(intent).ConfigureAwait(false);
            await _spending.ChangeDayAsync(SpendingDay.Of(intent), intent.Cost, null, refund: true).ConfigureAwait(false);
        }

        public async Task ImportAsync(IReadOnlyCollection<DreaminaJob> jobs)
        {
            foreach (var job in jobs)
            {
                // Inserted, not replaced: a job already here was charged when it got here, and is not charged again.
                var day = SpendingDay.ChargedToday(job) ? SpendingDay.Of(job) : null;
                var inserted = await _table.SendAsync(HttpMethod.Post, _table.Rows(null), JobBody(job, day), null, CancellationToken.None, allowConflict: true).ConfigureAwait(false);
                if (inserted.Status == 409) await _table.SendAsync(TableClient.Merge, JobEntity(job), EntryOnly(JournalEntry.Serialize(job)), null, CancellationToken.None).ConfigureAwait(false);
                else if (day is not null) await _spending.ChangeDayAsync(day, job.Cost, null, refund: false).ConfigureAwait(false);
            }
        }

        public void Forget(IEnumerable<DreaminaJob> jobs) => Task.WhenAll(jobs.Select(DeleteAsync)).GetAwaiter().GetResult();

        public List<DreaminaJob> Read(Action<string> warn)
        {
            var jobs = new List<DreaminaJob>();
            string? next = null;
            do
            {
                var filter = "$filter=" + Uri.EscapeDataString($"PartitionKey eq '{Jobs}'") + "&$select=RowKey,Entry" + (next ?? "");
                var page = _table.SendAsync(HttpMethod.Get, _table.Rows(filter), null, null, CancellationToken.None).GetAwaiter().GetResult();
                using (var document = JsonDocument.Parse(page.Body))
                {
                    foreach (var entity in document.RootElement.GetProperty("value").EnumerateArray())
                    {
                        var line = entity.TryGetProperty("Entry", out var entry) ? entry.GetString() : null;
                        if (line is not null && JournalEntry.Parse(line)?.Job is { } job) jobs.Add(job);
                        else warn($"Skipped the entity {entity.GetProperty("RowKey").GetString()} of the job journal {Location}: it is not a complete entry.");
                    }
                }
                next = page.Continuation;
            }
            while (next is not null);
            return jobs.OrderBy(j => j.SubmittedAt ?? DateTimeOffset.MinValue).ToList();
        }

        // A group's latest state of each job, sent at once (bounded by the client); then the charges of cancelled jobs
        // given back, and those of jobs whose actual cost came settled.
        private async Task WriteGroupAsync(List<DreaminaJob> group)
        {
            var latest = new Dictionary<string, DreaminaJob>();
            foreach (var job in group) latest[RowKey(job)] = job;
            await Task.WhenAll(latest.Values.Select(job => _table.SendAsync(TableClient.Merge, JobEntity(job), EntryOnly(JournalEntry.Serialize(job)), null, CancellationToken.None))).ConfigureAwait(false);
            // A cancelled job is not billed: its charge is given back.
            foreach (var job in group.Where(j => j.Status == JobStatus.Cancelled && j.ClientId is not null))
                await _spending.RefundCancelledAsync(JobEntity(job), job.Cost).ConfigureAwait(false);
            // One whose actual cost is known counts that.
            foreach (var job in _settled.Unsettled(group))
                await _spending.SettleAsync(JobEntity(job), job.Cost, job.ActualCost!.Value).ConfigureAwait(false);
        }

        private Task DeleteAsync(DreaminaJob job) => _table.SendAsync(HttpMethod.Delete, JobEntity(job), null, "*", CancellationToken.None, allowNotFound: true);

        private Uri JobEntity(DreaminaJob job) => _table.Entity(Jobs, RowKey(job));

        // The job's key in the table: its client id, which it has from before it was sent, else its request id.
        private static string RowKey(DreaminaJob job) => job.ClientId is { } client ? "c-" + client : "r-" + job.RequestId;

        /// <param name="day">The day the job is charged to, or null when it is charged to none.</param>
        private static string JobBody(DreaminaJob job, string? day)
        {
            var entity = new Dictionary<string, object> { ["PartitionKey"] = Jobs, ["RowKey"] = RowKey(job), ["Entry"] = JournalEntry.Serialize(job) };
            if (day is not null) entity["Charged"] = day; // a table takes no null property
            return TableClient.Json(entity);
        }

        private static string EntryOnly(string line) => TableClient.Json(new Dictionary<string, object> { ["Entry"] = line });
    }
}
