using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using System.Net.Http;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Dreamina.Transport;

namespace Dreamina.Journal
{
    /// <summary>
    /// The journal in an Azure Storage table, reached through the Table service's REST API with a SAS (no Azure
    /// SDK, so it never clashes with the Az modules' assemblies), for runners that vanish and fleets that share a
    /// budget. One entity per job (its journal line, as the file keeps it), one per day of spending. A day is
    /// charged with If-Match on its ETag and tried again on 412, so runners at once never pass a limit together.
    /// Changes are grouped: every write waiting at a moment goes out together, a job's latest state only, several
    /// requests at once, in the order the changes came. The SAS is a secret: nothing the module shows holds it.
    /// </summary>
    internal sealed class TableJournal : IJobJournal
    {
        public const string ApiVersion = "2019-02-02";
        private const string Jobs = "job";
        private const string Spending = "spend";
        /// <summary>Conflicts over a day's spending: short pauses of random length, many tries (each is a runner that got there first).</summary>
        private static readonly RetryPolicy Conflicts = new RetryPolicy { MaxRetries = 40, BaseDelay = TimeSpan.FromMilliseconds(5), MaxDelay = TimeSpan.FromMilliseconds(200) };
        private static readonly HttpMethod Merge = new HttpMethod("MERGE");
        private readonly HttpClient _http;
        private readonly RetryPolicy _retry;
        private readonly Uri _table;
        private readonly string _sas;
        private readonly SemaphoreSlim _inFlight = new SemaphoreSlim(16);
        // This process's changes to a day go one at a time: If-Match settles the races between runners, not within one.
        private readonly SemaphoreSlim _dayGate = new SemaphoreSlim(1);
        private readonly object _pendingGate = new object();
        private List<(DreaminaJob Job, TaskCompletionSource<bool> Done)> _pending = new List<(DreaminaJob, TaskCompletionSource<bool>)>();
        private bool _writing;
        private long _operations;

        /// <param name="table">The table's URL with a SAS, as Connect-Dreamina -JournalUri takes it.</param>
        public TableJournal(Uri table, HttpClient http, RetryPolicy retry)
        {
            _table = new Uri(table.GetLeftPart(UriPartial.Path).TrimEnd('/'));
            _sas = table.Query.TrimStart('?');
            _http = http;
            _retry = retry;
        }

        public string Location => _table.AbsoluteUri;

        /// <summary>Requests sent to the table so far (for the benchmark's table operations per job).</summary>
        public long Operations => Interlocked.Read(ref _operations);

        /// <summary>The table's address without its SAS: what messages may name.</summary>
        public static Uri Display(Uri table) => new Uri(table.GetLeftPart(UriPartial.Path));

        /// <summary>
        /// A journal address as Connect-Dreamina takes it, checked before anything is written: https (http only on
        /// this machine), a table, a SAS that is not expired and grants query, add, update and delete, and a table
        /// that exists and accepts the SAS.
        /// </summary>
        public static async Task<Uri> CheckAsync(string text, HttpClient http, RetryPolicy retry, CancellationToken cancel)
        {
            if (!Uri.TryCreate(text?.Trim(), UriKind.Absolute, out var uri) || !(uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && uri.IsLoopback)))
                throw Invalid("The journal table must be an https:// address of an Azure Storage table (http:// only on this machine, for Azurite), as in https://<account>.table.core.windows.net/<table>?<SAS>.");
            if (uri.AbsolutePath.Trim('/').Length == 0)
                throw Invalid($"The journal address {Display(uri)} names no table: add it to the path, as in https://<account>.table.core.windows.net/<table>?<SAS>.");
            if (Query(uri, "sig") is null)
                throw Invalid($"The journal table {Display(uri)} has no SAS (no 'sig' in its query). {HowToMakeOne}");
            if (Query(uri, "se") is { } se && DateTimeOffset.TryParse(se, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var expiry) && expiry < DateTimeOffset.UtcNow)
                throw Invalid($"The journal table {Display(uri)} cannot be used: its SAS expired at {expiry.ToLocalTime():g}. {HowToMakeOne}");
            if (Query(uri, "sp") is { } permissions && "raud".Where(p => permissions.IndexOf(p) < 0).ToArray() is { Length: > 0 } missing)
                throw Invalid($"The journal table {Display(uri)} cannot be used: its SAS does not grant {string.Join(", ", missing.Select(Permission))}, and the journal reads, adds, updates and deletes entities. {HowToMakeOne}");
            var journal = new TableJournal(uri, http, retry);
            await journal.SendAsync(HttpMethod.Get, journal.Rows("$top=1"), null, null, cancel).ConfigureAwait(false);
            return uri;
        }

        public Task RecordAsync(params DreaminaJob[] jobs)
        {
            var done = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            if (jobs.Length == 0)
            {
                done.SetResult(true);
                return done.Task;
            }
            lock (_pendingGate)
            {
                foreach (var job in jobs) _pending.Add((job, done));
                if (!_writing)
                {
                    _writing = true;
                    Task.Run(WriteWaitingAsync);
                }
            }
            return done.Task;
        }

        public async Task<SpendDecision> BeginSubmissionAsync(DreaminaJob intent, DailyLimit? limit)
        {
            var day = Day(intent);
            var decision = await ChangeDayAsync(day, intent.Cost, limit, refund: false).ConfigureAwait(false);
            if (!decision.IsAllowed) return decision;
            // Charged before it is written: a crash between the two counts a job that was never sent (the safe side).
            await SendAsync(HttpMethod.Put, Entity(Jobs, RowKey(intent)), JobEntity(intent, day), null, CancellationToken.None).ConfigureAwait(false);
            return decision;
        }

        public async Task WithdrawAsync(DreaminaJob intent)
        {
            await DeleteAsync(RowKey(intent)).ConfigureAwait(false);
            await ChangeDayAsync(Day(intent), intent.Cost, null, refund: true).ConfigureAwait(false);
        }

        public async Task ImportAsync(IReadOnlyCollection<DreaminaJob> jobs)
        {
            foreach (var job in jobs)
            {
                // Inserted, not replaced: a job already here was charged when it got here, and is not charged again.
                var day = JobJournal.ChargedToday(job) ? Day(job) : null;
                var inserted = await SendAsync(HttpMethod.Post, Rows(null), JobEntity(job, day), null, CancellationToken.None, allowConflict: true).ConfigureAwait(false);
                if (inserted.Status == 409) await SendAsync(Merge, Entity(Jobs, RowKey(job)), EntryOnly(JournalEntry.Serialize(job)), null, CancellationToken.None).ConfigureAwait(false);
                else if (day is not null) await ChangeDayAsync(day, job.Cost, null, refund: false).ConfigureAwait(false);
            }
        }

        public void Forget(IEnumerable<DreaminaJob> jobs)
            => Task.WhenAll(jobs.Select(job => DeleteAsync(RowKey(job)))).GetAwaiter().GetResult();

        public List<DreaminaJob> Read(Action<string> warn)
        {
            var jobs = new List<DreaminaJob>();
            string? next = null;
            do
            {
                var filter = "$filter=" + Uri.EscapeDataString($"PartitionKey eq '{Jobs}'") + "&$select=RowKey,Entry" + (next ?? "");
                var page = SendAsync(HttpMethod.Get, Rows(filter), null, null, CancellationToken.None).GetAwaiter().GetResult();
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

        /// <summary>
        /// Takes every change waiting, keeps each job's latest, sends them at once (bounded), and goes again until
        /// nothing waits: a job's changes reach the table in the order they were made.
        /// </summary>
        private async Task WriteWaitingAsync()
        {
            while (true)
            {
                List<(DreaminaJob Job, TaskCompletionSource<bool> Done)> batch;
                lock (_pendingGate)
                {
                    if (_pending.Count == 0)
                    {
                        _writing = false;
                        return;
                    }
                    batch = _pending;
                    _pending = new List<(DreaminaJob, TaskCompletionSource<bool>)>();
                }
                var latest = new Dictionary<string, string>();
                var cancelled = new List<DreaminaJob>();
                foreach (var (job, _) in batch)
                {
                    latest[RowKey(job)] = JournalEntry.Serialize(job);
                    if (job.Status == JobStatus.Cancelled && job.ClientId is not null) cancelled.Add(job);
                }
                try
                {
                    await Task.WhenAll(latest.Select(row => SendAsync(Merge, Entity(Jobs, row.Key), EntryOnly(row.Value), null, CancellationToken.None))).ConfigureAwait(false);
                    foreach (var job in cancelled) await RefundCancelledAsync(job).ConfigureAwait(false);
                    foreach (var done in batch.Select(b => b.Done).Distinct()) done.TrySetResult(true);
                }
                catch (DreaminaException e)
                {
                    foreach (var done in batch.Select(b => b.Done).Distinct()) done.TrySetException(e);
                }
            }
        }

        // A cancelled job is not billed: its charge is given back once, marked on its entity with If-Match.
        private Task RefundCancelledAsync(DreaminaJob job)
            => new RetryLoop(Conflicts) { IsTransient = e => e is SpendConflict }.RunAsync(async () =>
            {
                var current = await SendAsync(HttpMethod.Get, Entity(Jobs, RowKey(job)), null, null, CancellationToken.None, allowNotFound: true).ConfigureAwait(false);
                if (current.Status == 404) return;
                string? day;
                using (var entity = JsonDocument.Parse(current.Body))
                {
                    var root = entity.RootElement;
                    if (root.TryGetProperty("Refunded", out var refunded) && refunded.ValueKind == JsonValueKind.True) return;
                    day = root.TryGetProperty("Charged", out var charged) ? charged.GetString() : null;
                }
                if (day is null) return;
                var marked = await SendAsync(Merge, Entity(Jobs, RowKey(job)), Json(new Dictionary<string, object> { ["Refunded"] = true }), current.ETag, CancellationToken.None, allowConflict: true).ConfigureAwait(false);
                if (marked.Status == 412) throw new SpendConflict();
                await ChangeDayAsync(day, job.Cost, null, refund: true).ConfigureAwait(false);
            }, CancellationToken.None);

        // The day's spending, read and written with If-Match on its ETag until no other runner got there first.
        private async Task<SpendDecision> ChangeDayAsync(string day, decimal? cost, DailyLimit? limit, bool refund)
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

        // One read and one conditional write; another runner's write in between (409, 412) is a conflict, tried again.
        private Task<SpendDecision> ChangeDayOnceAsync(string day, decimal? cost, DailyLimit? limit, bool refund)
            => new RetryLoop(Conflicts)
            {
                IsTransient = e => e is SpendConflict,
                GiveUp = (_, attempts, _) => new DreaminaException(ErrorIds.JournalUnavailable, ErrorCategory.ResourceBusy,
                    $"The day's spending in the journal table {Location} changed under this runner {attempts} times in a row; nothing was submitted. Try again."),
            }.RunAsync(async () =>
            {
                var current = await SendAsync(HttpMethod.Get, Entity(Spending, day), null, null, CancellationToken.None, allowNotFound: true).ConfigureAwait(false);
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
                var body = Json(new Dictionary<string, object> { ["PartitionKey"] = Spending, ["RowKey"] = day, ["Total"] = total.ToString(CultureInfo.InvariantCulture), ["Unknown"] = unknown });
                var written = current.Status == 404
                    ? await SendAsync(HttpMethod.Post, Rows(null), body, null, CancellationToken.None, allowConflict: true).ConfigureAwait(false)
                    : await SendAsync(HttpMethod.Put, Entity(Spending, day), body, current.ETag, CancellationToken.None, allowConflict: true).ConfigureAwait(false);
                if (written.Status is 409 or 412) throw new SpendConflict();
                return SpendDecision.Allowed;
            }, CancellationToken.None);

        private async Task DeleteAsync(string rowKey)
            => await SendAsync(HttpMethod.Delete, Entity(Jobs, rowKey), null, "*", CancellationToken.None, allowNotFound: true).ConfigureAwait(false);

        private async Task<TableAnswer> SendAsync(HttpMethod method, Uri uri, string? body, string? ifMatch, CancellationToken cancel, bool allowNotFound = false, bool allowConflict = false)
        {
            await _inFlight.WaitAsync(cancel).ConfigureAwait(false);
            try
            {
                var loop = new RetryLoop(_retry)
                {
                    GiveUp = (e, attempts, _) => e is DreaminaException { ErrorId: ErrorIds.JournalUnavailable } ? e : Unavailable($"{e.Message.TrimEnd('.')} (after {attempts} attempts)", e),
                };
                return await loop.RunAsync(async () =>
                {
                    Interlocked.Increment(ref _operations);
                    using var response = await ContentHttp.SendAsync(_http, method, uri, OnlyTo(uri), request =>
                    {
                        request.Headers.Add("x-ms-version", ApiVersion);
                        request.Headers.Add("DataServiceVersion", "3.0;NetFx");
                        request.Headers.Accept.ParseAdd("application/json;odata=nometadata");
                        if (ifMatch is not null) request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
                        if (body is not null) request.Content = new StringContent(body, Encoding.UTF8, "application/json");
                        if (method == HttpMethod.Post) request.Headers.Add("Prefer", "return-no-content");
                    }, _retry.RequestTimeout, cancel).ConfigureAwait(false);
                    var status = (int)response.StatusCode;
                    var text = response.Content is null ? "" : await response.Content.ReadAsStringAsync().ConfigureAwait(false);
                    if (status < 300 || (status == 404 && allowNotFound && !text.Contains("TableNotFound")) || (status is 409 or 412 && allowConflict))
                        return new TableAnswer(status, text, response.Headers.ETag?.ToString(), Continuation(response));
                    throw Failure(response, status, text);
                }, cancel).ConfigureAwait(false);
            }
            finally
            {
                _inFlight.Release();
            }
        }

        private DreaminaException Failure(HttpResponseMessage response, int status, string text)
        {
            var code = Header(response, "x-ms-error-code") ?? (text.Contains("TableNotFound") ? "TableNotFound" : null);
            if (status is 401 or 403)
                return Unavailable($"The journal table refused this runner (HTTP {status}{(code is null ? "" : ", " + code)}): its SAS is for another table or account, was changed when copied, or has expired. {HowToMakeOne}");
            if (code == "TableNotFound" || status == 404)
                return Unavailable($"The journal table {Location} does not exist. Create it (New-AzStorageTable, or the portal), or correct Connect-Dreamina -JournalUri.");
            var transient = status is 408 or 429 || status >= 500;
            return new DreaminaException(ErrorIds.JournalUnavailable, ErrorCategory.ResourceUnavailable,
                $"The journal table {Location} answered HTTP {status}{(code is null ? "" : " (" + code + ")")}.")
            {
                IsTransient = transient,
                RetryAfter = RetryPolicy.ParseRetryAfter(response.Headers.RetryAfter, DateTimeOffset.UtcNow),
            };
        }

        private DreaminaException Unavailable(string message, Exception? inner = null)
            => new DreaminaException(ErrorIds.JournalUnavailable, ErrorCategory.ResourceUnavailable,
                $"{message} Nothing is submitted while the journal cannot be written; fix it, or use a file with Connect-Dreamina -JournalPath.", inner);

        // A table host that redirects is not followed: the SAS goes to the address the user gave, and nowhere else.
        private Func<Uri, DreaminaException?> OnlyTo(Uri uri) => hop => hop == uri ? null
            : Unavailable("The journal table redirected the request to another address; the SAS is not sent on. Check Connect-Dreamina -JournalUri.");

        private Uri Entity(string partition, string row) => new Uri($"{_table.AbsoluteUri}(PartitionKey='{partition}',RowKey='{Uri.EscapeDataString(row)}')?{_sas}");

        private Uri Rows(string? query) => new Uri($"{_table.AbsoluteUri}{(query is null ? "" : "()")}?{_sas}{(query is null ? "" : "&" + query)}");

        // The job's key in the table: its client id, which it has from before it was sent, else its request id.
        private static string RowKey(DreaminaJob job) => job.ClientId is { } client ? "c-" + client : "r-" + job.RequestId;

        private static string Day(DreaminaJob job) => (job.SubmittedAt ?? DateTimeOffset.Now).LocalDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

        /// <param name="day">The day the job is charged to, or null when it is charged to none.</param>
        private static string JobEntity(DreaminaJob job, string? day)
        {
            var entity = new Dictionary<string, object> { ["PartitionKey"] = Jobs, ["RowKey"] = RowKey(job), ["Entry"] = JournalEntry.Serialize(job) };
            if (day is not null) entity["Charged"] = day; // a table takes no null property
            return Json(entity);
        }

        private static string EntryOnly(string line) => Json(new Dictionary<string, object> { ["Entry"] = line });

        private static string Json<T>(Dictionary<string, T> properties) => JsonSerializer.Serialize(properties);

        private static string? Continuation(HttpResponseMessage response)
            => Header(response, "x-ms-continuation-NextPartitionKey") is { } partition
                ? $"&NextPartitionKey={Uri.EscapeDataString(partition)}" + (Header(response, "x-ms-continuation-NextRowKey") is { } row ? $"&NextRowKey={Uri.EscapeDataString(row)}" : "")
                : null;

        private static string? Header(HttpResponseMessage response, string name)
            => response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

        private static string? Query(Uri uri, string name)
        {
            foreach (var pair in uri.Query.TrimStart('?').Split('&'))
            {
                if (pair.StartsWith(name + "=", StringComparison.OrdinalIgnoreCase)) return Uri.UnescapeDataString(pair.Substring(name.Length + 1));
            }
            return null;
        }

        private static string Permission(char p) => p switch { 'r' => "query (r)", 'a' => "add (a)", 'u' => "update (u)", _ => "delete (d)" };

        private const string HowToMakeOne = "Make a table SAS with query, add, update and delete permissions (sp=raud), for example with New-AzStorageTableSASToken -Permission raud, and run Connect-Dreamina -JournalUri again.";

        private static DreaminaException Invalid(string message) => new DreaminaException(ErrorIds.JournalStoreInvalid, ErrorCategory.InvalidArgument, message);

        private sealed class SpendConflict : Exception
        {
        }

        private sealed class TableAnswer
        {
            public TableAnswer(int status, string body, string? etag, string? continuation)
            {
                Status = status;
                Body = body;
                ETag = etag;
                Continuation = continuation;
            }

            public int Status { get; }
            public string Body { get; }
            public string? ETag { get; }
            public string? Continuation { get; }
        }
    }
}
