using System;
using System.Collections.Concurrent;
using System.Linq;
using System.Management.Automation;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Dreamina.Transport;

namespace Dreamina.Journal
{
    /// <summary>
    /// The one place a journal store is chosen and opened: a table when an address with a SAS is given, else a
    /// file. Each is opened once per process (a file per path, a table per address), so that every cmdlet's writes
    /// to it are grouped and keep their order.
    /// </summary>
    internal static class JournalStores
    {
        private static readonly ConcurrentDictionary<string, TableJournal> Tables = new ConcurrentDictionary<string, TableJournal>();

        /// <param name="table">The table with its SAS, or null for the file at <paramref name="path"/>.</param>
        public static IJobJournal Open(string path, Uri? table, HttpClient http, RetryPolicy retry)
            => table is null ? FileJournal.For(path) : Table(table, http, retry);

        /// <summary>How messages and Get-DreaminaConnection name a journal: its path, or the table's address without its SAS.</summary>
        public static string Display(string path, Uri? table) => table is null ? path : AzureSas.Display(table).AbsoluteUri;

        /// <summary>
        /// A journal table's address as Connect-Dreamina and Copy-DreaminaJob take it, checked before anything is
        /// written: https (http only on this machine), a table, a SAS that is not expired and grants query, add,
        /// update and delete, and a table that exists and accepts the SAS.
        /// </summary>
        public static async Task<Uri> CheckTableAsync(string text, HttpClient http, RetryPolicy retry, CancellationToken cancel)
        {
            if (!Uri.TryCreate(text?.Trim(), UriKind.Absolute, out var uri) || !WebAddress.IsSecureOrLocal(uri))
                throw Invalid("The journal table must be an https:// address of an Azure Storage table (http:// only on this machine, for Azurite), as in https://<account>.table.core.windows.net/<table>?<SAS>.");
            var display = AzureSas.Display(uri);
            if (uri.AbsolutePath.Trim('/').Length == 0)
                throw Invalid($"The journal address {display} names no table: add it to the path, as in https://<account>.table.core.windows.net/<table>?<SAS>.");
            if (!AzureSas.HasSignature(uri))
                throw Invalid($"The journal table {display} has no SAS (no 'sig' in its query). {TableClient.HowToMakeASas}");
            if (AzureSas.ExpiredAt(uri) is { } expiry)
                throw Invalid($"The journal table {display} cannot be used: its SAS expired at {expiry.ToLocalTime():g}. {TableClient.HowToMakeASas}");
            if (AzureSas.MissingPermissions(uri, "raud") is { Length: > 0 } missing)
                throw Invalid($"The journal table {display} cannot be used: its SAS does not grant {string.Join(", ", missing.Select(Permission))}, and the journal reads, adds, updates and deletes entities. {TableClient.HowToMakeASas}");
            var client = new TableClient(uri, http, retry);
            await client.SendAsync(HttpMethod.Get, client.Rows("$top=1"), null, null, cancel).ConfigureAwait(false);
            return uri;
        }

        /// <summary>The journal Copy-DreaminaJob writes into: a file by its resolved path, or a table checked first.</summary>
        public static async Task<IJobJournal> OpenCheckedAsync(string? path, string? tableText, HttpClient http, RetryPolicy retry, CancellationToken cancel)
            => path is not null ? FileJournal.For(path) : Table(await CheckTableAsync(tableText!, http, retry, cancel).ConfigureAwait(false), http, retry);

        private static TableJournal Table(Uri table, HttpClient http, RetryPolicy retry)
            => Tables.GetOrAdd(table.AbsoluteUri, _ => new TableJournal(new TableClient(table, http, retry)));

        private static string Permission(char p) => p switch { 'r' => "query (r)", 'a' => "add (a)", 'u' => "update (u)", _ => "delete (d)" };

        private static DreaminaException Invalid(string message) => new DreaminaException(ErrorIds.JournalStoreInvalid, ErrorCategory.InvalidArgument, message);
    }
}
