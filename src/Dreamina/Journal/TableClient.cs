using System;
using System.Collections.Generic;
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
    /// An Azure Storage table over the Table service's REST API with a SAS (no Azure SDK, so it never clashes with
    /// the Az modules' assemblies): entity addresses, JSON bodies, a bounded number of requests in flight, retries
    /// through the one retry loop, and errors that say what to do. The SAS goes to the table's address only.
    /// </summary>
    internal sealed class TableClient
    {
        public const string ApiVersion = "2019-02-02";
        public static readonly HttpMethod Merge = new HttpMethod("MERGE");
        private readonly HttpClient _http;
        private readonly RetryPolicy _retry;
        private readonly Uri _table;
        private readonly string _sas;
        private readonly SemaphoreSlim _inFlight = new SemaphoreSlim(16);
        private long _operations;

        /// <param name="table">The table's URL with a SAS.</param>
        public TableClient(Uri table, HttpClient http, RetryPolicy retry)
        {
            _table = new Uri(table.GetLeftPart(UriPartial.Path).TrimEnd('/'));
            _sas = table.Query.TrimStart('?');
            _http = http;
            _retry = retry;
        }

        /// <summary>The table's address without its SAS.</summary>
        public string Location => _table.AbsoluteUri;

        /// <summary>Requests sent to the table so far (for the benchmark's table operations per job).</summary>
        public long Operations => Interlocked.Read(ref _operations);

        public Uri Entity(string partition, string row) => new Uri($"{_table.AbsoluteUri}(PartitionKey='{partition}',RowKey='{Uri.EscapeDataString(row)}')?{_sas}");

        /// <summary>The table's entities: to insert into (no query), or to list with a query.</summary>
        public Uri Rows(string? query) => new Uri($"{_table.AbsoluteUri}{(query is null ? "" : "()")}?{_sas}{(query is null ? "" : "&" + query)}");

        public static string Json<T>(Dictionary<string, T> properties) => JsonSerializer.Serialize(properties);

        /// <param name="allowNotFound">A missing entity (not a missing table) is an answer, not an error.</param>
        /// <param name="allowConflict">409 and 412 are answers: another runner got there first.</param>
        public async Task<TableAnswer> SendAsync(HttpMethod method, Uri uri, string? body, string? ifMatch, CancellationToken cancel, bool allowNotFound = false, bool allowConflict = false)
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

        public DreaminaException Unavailable(string message, Exception? inner = null)
            => new DreaminaException(ErrorIds.JournalUnavailable, ErrorCategory.ResourceUnavailable,
                $"{message} Nothing is submitted while the journal cannot be written; fix it, or use a file with Connect-Dreamina -JournalPath.", inner);

        public const string HowToMakeASas = "Make a table SAS with query, add, update and delete permissions (sp=raud), for example with New-AzStorageTableSASToken -Permission raud, and run Connect-Dreamina -JournalUri again.";

        private DreaminaException Failure(HttpResponseMessage response, int status, string text)
        {
            var code = Header(response, "x-ms-error-code") ?? (text.Contains("TableNotFound") ? "TableNotFound" : null);
            if (status is 401 or 403)
                return Unavailable($"The journal table refused this runner (HTTP {status}{(code is null ? "" : ", " + code)}): its SAS is for another table or account, was changed when copied, or has expired. {HowToMakeASas}");
            if (code == "TableNotFound" || status == 404)
                return Unavailable($"The journal table {Location} does not exist. Create it (New-AzStorageTable, or the portal), or correct Connect-Dreamina -JournalUri.");
            return new DreaminaException(ErrorIds.JournalUnavailable, ErrorCategory.ResourceUnavailable,
                $"The journal table {Location} answered HTTP {status}{(code is null ? "" : " (" + code + ")")}.")
            {
                IsTransient = WebAddress.IsTransientStatus(status),
                RetryAfter = RetryPolicy.ParseRetryAfter(response.Headers.RetryAfter, DateTimeOffset.UtcNow),
            };
        }

        // A table host that redirects is not followed: the SAS goes to the address the user gave, and nowhere else.
        private Func<Uri, DreaminaException?> OnlyTo(Uri uri) => hop => hop == uri ? null
            : Unavailable("The journal table redirected the request to another address; the SAS is not sent on. Check Connect-Dreamina -JournalUri.");

        private static string? Continuation(HttpResponseMessage response)
            => Header(response, "x-ms-continuation-NextPartitionKey") is { } partition
                ? $"&NextPartitionKey={Uri.EscapeDataString(partition)}" + (Header(response, "x-ms-continuation-NextRowKey") is { } row ? $"&NextRowKey={Uri.EscapeDataString(row)}" : "")
                : null;

        private static string? Header(HttpResponseMessage response, string name)
            => response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;
    }

    /// <summary>One answer of the table: its status, body, ETag, and where the next page starts (a query's continuation).</summary>
    internal sealed class TableAnswer
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
