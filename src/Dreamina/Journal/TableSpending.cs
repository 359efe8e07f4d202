using System;
using System.Collections.Generic;
using System.Globalization;
using System.Management.Automation;
using System.Net.Http;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Dreamina.Transport;

namespace Dreamina.Journal
{
    /// <summary>
    /// Each day's spending in the journal table, one entity per day, shared by every runner: a day is charged with
    /// If-Match on its ETag and tried again when another runner got there first, so runners at once never pass a
    /// limit together. A cancelled job's charge is given back once, and a job's estimate settled at its actual cost
    /// once, each marked on the job's entity with If-Match too.
    /// </summary>
    internal sealed class TableSpending
    {
        public const string Partition = "spend";
        /// <summary>Conflicts over a day's spending: short pauses of random length, many tries (each is a runner that got there first).</summary>
        private static readonly RetryPolicy Conflicts = new RetryPolicy { MaxRetries = 40, BaseDelay = TimeSpan.FromMilliseconds(5), MaxDelay = TimeSpan.FromMilliseconds(200) };
        private readonly TableClient _table;
        // This process's changes to a day go one at a time: If-Match settles the races between runners, not within one.
        private readonly SemaphoreSlim _dayGate = new SemaphoreSlim(1);

        public TableSpending(TableClient table) => _table = table;

        /// <summary>Charges (or with <paramref name="refund"/> gives back) a cost to a day, if the day's limit allows it.</summary>
        public async Task<SpendDecision> ChangeDayAsync(string day, decimal? cost, DailyLimit? limit, bool refund)
        {
            await _dayGate.WaitAsync().ConfigureAwait(false);
            try
            {
                return await ChangeDayOnceAsync(day, cost, limit, refund).ConfigureAwait(false);
            }
            finally
            {
                _dayGate.Release();
            }
        }

        /// <summary>Gives a cancelled job's charge back, once however often it is recorded: its entity says it was.</summary>
        public Task RefundCancelledAsync(Uri jobEntity, decimal? cost)
            => OnceForChargedJobAsync(jobEntity, "Refunded", day => ChangeDayAsync(day, cost, null, refund: true));

        /// <summary>Changes a job's charge from its estimate to what RunComfy says it charged, once: its entity says it was.</summary>
        public Task SettleAsync(Uri jobEntity, decimal? estimate, decimal actual)
            => OnceForChargedJobAsync(jobEntity, "Settled", async day =>
            {
                await ChangeDayAsync(day, estimate, null, refund: true).ConfigureAwait(false);
                await ChangeDayAsync(day, actual, null, refund: false).ConfigureAwait(false);
            });

        // A change to a charged job's day, made once: the job's entity is marked with If-Match first. A job given back
        // (cancelled) is changed no more.
        private Task OnceForChargedJobAsync(Uri jobEntity, string mark, Func<string, Task> change)
            => new RetryLoop(Conflicts) { IsTransient = e => e is SpendConflict }.RunAsync(async () =>
            {
                var current = await _table.SendAsync(HttpMethod.Get, jobEntity, null, null, CancellationToken.None, allowNotFound: true).ConfigureAwait(false);
                if (current.Status == 404) return;
                string? day;
                using (var entity = JsonDocument.Parse(current.Body))
                {
                    var root = entity.RootElement;
                    if (root.TryGetProperty(mark, out _) || root.TryGetProperty("Refunded", out _)) return;
                    day = root.TryGetProperty("Charged", out var charged) ? charged.GetString() : null;
                }
                if (day is null) return;
                var marked = await _table.SendAsync(TableClient.Merge, jobEntity, TableClient.Json(new Dictionary<string, object> { [mark] = true }), current.ETag,
                    CancellationToken.None, allowConflict: true).ConfigureAwait(false);
                if (marked.Status == 412) throw new SpendConflict();
                await change(day).ConfigureAwait(false);
            }, CancellationToken.None);

        // One read and one conditional write; another runner's write in between (409, 412) is a conflict, tried again.
        private Task<SpendDecision> ChangeDayOnceAsync(string day, decimal? cost, DailyLimit? limit, bool refund)
            => new RetryLoop(Conflicts)
            {
                IsTransient = e => e is SpendConflict,
                GiveUp = (_, attempts, _) => new DreaminaException(ErrorIds.JournalUnavailable, ErrorCategory.ResourceBusy,
                    $"The day's spending in the journal table {_table.Location} changed under this runner {attempts} times in a row; nothing was submitted. Try again."),
            }.RunAsync(async () =>
            {
                var current = await _table.SendAsync(HttpMethod.Get, _table.Entity(Partition, day), null, null, CancellationToken.None, allowNotFound: true).ConfigureAwait(false);
                decimal total = 0;
                var unknown = 0;
                if (current.Status != 404)
                {
                    using var entity = JsonDocument.Parse(current.Body);
                    var root = entity.RootElement;
                    if (root.TryGetProperty("Total", out var t)) total = decimal.Parse(t.GetString() ?? "0", CultureInfo.InvariantCulture);
                    if (root.TryGetProperty("Unknown", out var u)) unknown = u.GetInt32();
                }
                if (limit is not null && !refund)
                {
                    var spent = total + unknown * limit.UnknownCostCountsAs;
                    if (spent + (cost ?? limit.UnknownCostCountsAs) > limit.Amount) return SpendDecision.Refused(spent, limit.Amount);
                }
                var sign = refund ? -1 : 1;
                if (cost is { } known) total = Math.Max(0, total + sign * known);
                else unknown = Math.Max(0, unknown + sign);
                var body = TableClient.Json(new Dictionary<string, object> { ["PartitionKey"] = Partition, ["RowKey"] = day, ["Total"] = total.ToString(CultureInfo.InvariantCulture), ["Unknown"] = unknown });
                var written = current.Status == 404
                    ? await _table.SendAsync(HttpMethod.Post, _table.Rows(null), body, null, CancellationToken.None, allowConflict: true).ConfigureAwait(false)
                    : await _table.SendAsync(HttpMethod.Put, _table.Entity(Partition, day), body, current.ETag, CancellationToken.None, allowConflict: true).ConfigureAwait(false);
                if (written.Status is 409 or 412) throw new SpendConflict();
                return SpendDecision.Allowed;
            }, CancellationToken.None);

        private sealed class SpendConflict : Exception
        {
        }
    }
}
