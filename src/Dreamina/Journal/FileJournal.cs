using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace Dreamina.Journal
{
    /// <summary>
    /// Every job this user submitted, kept on disk so nothing paid is ever lost. An append-only file of JSON lines,
    /// one snapshot per change; the newest line for a job wins, and a "removed" line forgets it. A submission is
    /// written before it is sent (by its client id) and completed by its answer (with the request id).
    /// Writers take a lock file, so several PowerShell processes can share it. Writes from every cmdlet of the
    /// process are grouped: one lock and one flush to disk for all the lines waiting at that moment, on a
    /// thread of their own (<see cref="GroupCommit{T}"/>). It never holds a token. Beside it, a record of each
    /// day's estimated spending (<see cref="SpendLedger"/>) that removing jobs or compacting the journal never lowers.
    /// </summary>
    internal sealed class FileJournal : IJobJournal
    {
        private static readonly TimeSpan LockPatience = TimeSpan.FromSeconds(10);
        private static readonly ConcurrentDictionary<string, FileJournal> Open = new ConcurrentDictionary<string, FileJournal>(
            RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal);
        private static readonly byte[] NewLine = { (byte)'\n' };
        /// <summary>Rewrite the file when it holds this many more lines than live jobs.</summary>
        internal const int CompactionSlack = 1000;

        private readonly GroupCommit<PendingWrite> _writes;
        private readonly SpendLedger _ledger = new SpendLedger();
        private readonly SettledCharges _settled = new SettledCharges();

        /// <summary>A journal of its own; <see cref="For"/> gives the one the whole process shares for a path.</summary>
        public FileJournal(string path)
        {
            Path = path;
            _writes = new GroupCommit<PendingWrite>(WriteGroup);
        }

        public static FileJournal For(string path) => Open.GetOrAdd(System.IO.Path.GetFullPath(path), full => new FileJournal(full));

        public string Path { get; }

        public string Location => Path;

        /// <summary>Lines this journal has written since it was opened in this process.</summary>
        public long LinesWritten => Interlocked.Read(ref _linesWritten);
        private long _linesWritten;

        /// <summary>Writes the jobs' current state; the task ends once it is on disk.</summary>
        /// <exception cref="DreaminaException"><see cref="ErrorIds.JournalUnavailable"/>, through the task.</exception>
        public Task RecordAsync(params DreaminaJob[] jobs)
            // A cancelled job is not billed: the day's spending gives it back. One whose actual cost is known counts that.
            => _writes.Add(new PendingWrite(jobs.Select(JournalEntry.Serialize).ToArray(), null,
                jobs.Where(j => j.Status == JobStatus.Cancelled && j.ClientId is not null).Select(j => SpendLedger.Refund(j.ClientId!))
                    .Concat(_settled.Unsettled(jobs).Select(SpendLedger.Settle)).ToArray()));

        public Task ImportAsync(IReadOnlyCollection<DreaminaJob> jobs)
            // The spending record counts each job once by its key, however often it is charged.
            => _writes.Add(new PendingWrite(jobs.Select(JournalEntry.Serialize).ToArray(), null, jobs.Where(SpendingDay.ChargedToday).Select(SpendLedger.Charge).ToArray()));

        /// <summary>The record of each day's spending, beside the journal.</summary>
        public string SpendingPath => System.IO.Path.Combine(System.IO.Path.GetDirectoryName(Path) ?? ".", System.IO.Path.GetFileNameWithoutExtension(Path) + ".spending.jsonl");

        /// <summary>
        /// Writes a submission before it is sent, if the day's spending allows it (checked under the lock, against
        /// every process's lines, so two processes cannot both take the last of the limit).
        /// </summary>
        public async Task<SpendDecision> BeginSubmissionAsync(DreaminaJob intent, DailyLimit? limit)
        {
            var write = new PendingWrite(new[] { JournalEntry.Serialize(intent) }, limit is null ? null : new Reservation(intent.Cost, limit), new[] { SpendLedger.Charge(intent) });
            await _writes.Add(write).ConfigureAwait(false);
            return write.Decision ?? SpendDecision.Allowed;
        }

        /// <summary>A submission that was never sent after all: the journal forgets it and the day's spending gives it back.</summary>
        public Task WithdrawAsync(DreaminaJob intent)
            => _writes.Add(new PendingWrite(new[] { JournalEntry.Tombstone(intent.Key) }, null, intent.ClientId is { } client ? new[] { SpendLedger.Refund(client) } : Array.Empty<string>()));

        public void Forget(IEnumerable<DreaminaJob> jobs) => Forget(jobs.Select(j => j.Key));

        /// <summary>Forgets jobs (by their journal keys) and compacts the file.</summary>
        internal void Forget(IEnumerable<string> keys)
        {
            using (Lock())
            {
                AppendLocked(Path, keys.Select(JournalEntry.Tombstone).ToList());
                ReadAndCompactLocked(_ => { });
            }
        }

        /// <summary>Live jobs in the order they were submitted; unreadable lines are skipped and reported.</summary>
        public List<DreaminaJob> Read(Action<string> warn)
        {
            if (!File.Exists(Path)) return new List<DreaminaJob>();
            using (Lock()) return ReadAndCompactLocked(warn);
        }

        // A group of writes under one lock, with one flush.
        private Task WriteGroup(List<PendingWrite> group)
        {
            try
            {
                using (Lock())
                {
                    if (group.Any(w => w.Reservation is not null || w.SpendLines.Length > 0)) StartSpendingLocked();
                    if (group.Any(w => w.Reservation is not null)) Decide(group);
                    var allowed = group.Where(w => w.Decision?.IsAllowed != false).ToList();
                    AppendLocked(Path, allowed.SelectMany(w => w.Lines).ToList());
                    AppendLocked(SpendingPath, allowed.SelectMany(w => w.SpendLines).ToList());
                }
                return Task.CompletedTask;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw Unavailable(e);
            }
        }

        // Reservations in the order they came, each against what the day has spent so far, this batch included.
        private void Decide(List<PendingWrite> batch)
        {
            _ledger.CatchUp(SpendingPath);
            decimal added = 0;
            foreach (var write in batch)
            {
                if (write.Reservation is not { } reservation) continue;
                var spent = _ledger.SpentToday(reservation.Limit.UnknownCostCountsAs) + added;
                var cost = reservation.Cost ?? reservation.Limit.UnknownCostCountsAs;
                write.Decision = spent + cost <= reservation.Limit.Amount ? SpendDecision.Allowed : SpendDecision.Refused(spent, reservation.Limit.Amount);
                if (write.Decision.IsAllowed) added += cost;
            }
        }

        // Every change appends a line, so the file is rewritten with only the live jobs once it has gathered
        // enough superseded lines; reading is when the counts are at hand.
        private List<DreaminaJob> ReadAndCompactLocked(Action<string> warn)
        {
            var live = ReadLocked(warn, out var lines);
            if (lines - live.Count > CompactionSlack) Compact(live);
            return live;
        }

        // The spending record starts from the journal's jobs of today (a journal older than the record, or a
        // record that was deleted), so a day's earlier jobs are never left out.
        private void StartSpendingLocked()
        {
            if (File.Exists(SpendingPath)) return;
            var today = File.Exists(Path)
                ? ReadLocked(_ => { }, out _).Where(SpendingDay.ChargedToday).Select(SpendLedger.Charge).ToList()
                : new List<string>();
            AppendLocked(SpendingPath, today, create: true);
        }

        private void AppendLocked(string path, IReadOnlyCollection<string> lines, bool create = false)
        {
            if (lines.Count == 0 && !create) return;
            var created = !File.Exists(path);
            using var file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite);
            if (created) RestrictToOwner(path, 0x180 /* 0600 */);
            // A crash can leave a last line without its newline: close it off so the next entry starts clean.
            if (file.Length > 0)
            {
                file.Seek(-1, SeekOrigin.End);
                if (file.ReadByte() != '\n') file.Write(NewLine, 0, 1);
            }
            file.Seek(0, SeekOrigin.End);
            var text = Encoding.UTF8.GetBytes(string.Concat(lines.Select(l => l + "\n")));
            file.Write(text, 0, text.Length);
            file.Flush(flushToDisk: true);
            if (path == Path) Interlocked.Add(ref _linesWritten, lines.Count);
        }

        private List<DreaminaJob> ReadLocked(Action<string> warn, out int lineNumber)
        {
            var jobs = new Dictionary<string, DreaminaJob>();
            lineNumber = 0;
            using var reader = new StreamReader(new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite), Encoding.UTF8);
            string? line;
            while ((line = reader.ReadLine()) is not null)
            {
                lineNumber++;
                if (line.Trim().Length == 0) continue;
                var entry = JournalEntry.Parse(line);
                if (entry is null)
                {
                    warn($"Skipped line {lineNumber} of the job journal {Path}: it is not a complete entry (a crash or power cut can cut one short).");
                    continue;
                }
                // The answer to a submission supersedes the line written before it was sent.
                if (entry.ClientId is { } client) jobs.Remove(JournalEntry.ClientPrefix + client);
                if (entry.RequestId is { } request) jobs.Remove(request);
                if (entry.Job is { } job) jobs.Add(job.Key, job);
            }
            return jobs.Values.OrderBy(j => j.SubmittedAt ?? DateTimeOffset.MinValue).ToList();
        }

        private void Compact(List<DreaminaJob> live)
        {
            var temporary = Path + ".compact";
            File.WriteAllText(temporary, string.Concat(live.Select(j => JournalEntry.Serialize(j) + "\n")));
            RestrictToOwner(temporary, 0x180);
            File.Replace(temporary, Path, null);
        }

        // Writers queue on an exclusive lock file beside the journal (advisory flock on Unix, a share lock on Windows).
        private IDisposable Lock()
        {
            var directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Path))!;
            try
            {
                if (!Directory.Exists(directory))
                {
                    Directory.CreateDirectory(directory);
                    RestrictToOwner(directory, 0x1C0 /* 0700 */);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw Unavailable(e);
            }
            var waited = System.Diagnostics.Stopwatch.StartNew();
            for (var attempt = 0; ; attempt++)
            {
                try
                {
                    return new FileStream(Path + ".lock", FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None);
                }
                catch (IOException) when (waited.Elapsed < LockPatience)
                {
                    Thread.Sleep(Math.Min(5 * (attempt + 1), 50));
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    throw new DreaminaException(ErrorIds.JournalUnavailable, ErrorCategory.ResourceBusy,
                        $"The job journal {Path} could not be locked: {e.Message} Another process may be holding it; try again, or set another path with Connect-Dreamina -JournalPath.", e);
                }
            }
        }

        private DreaminaException Unavailable(Exception e)
            => new DreaminaException(ErrorIds.JournalUnavailable, ErrorCategory.WriteError,
                $"The job journal {Path} cannot be written ({e.Message.TrimEnd('.')}). Free some space or fix its permissions, or set another path with Connect-Dreamina -JournalPath.", e);

        private static void RestrictToOwner(string path, int mode)
        {
            if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows)) return;
            _ = chmod(path, mode);
        }

        [DllImport("libc", SetLastError = true)]
#pragma warning disable IDE1006 // the C name
        private static extern int chmod(string path, int mode);
#pragma warning restore IDE1006

        private sealed class PendingWrite
        {
            public PendingWrite(string[] lines, Reservation? reservation, string[]? spendLines = null)
            {
                Lines = lines;
                Reservation = reservation;
                SpendLines = spendLines ?? Array.Empty<string>();
            }

            public string[] Lines { get; }
            /// <summary>Lines for the spending record, written with the journal's (and only if the reservation was allowed).</summary>
            public string[] SpendLines { get; }
            public Reservation? Reservation { get; }
            public SpendDecision? Decision { get; set; }
        }

        private sealed class Reservation
        {
            public Reservation(decimal? cost, DailyLimit limit)
            {
                Cost = cost;
                Limit = limit;
            }

            public decimal? Cost { get; }
            public DailyLimit Limit { get; }
        }
    }
}
