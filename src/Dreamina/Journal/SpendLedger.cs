using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;
using System.Text.Json;

namespace Dreamina.Journal
{
    /// <summary>A daily spending limit, and what a job of unknown cost counts as against it (the highest price seen).</summary>
    internal sealed class DailyLimit
    {
        public DailyLimit(decimal amount, decimal unknownCostCountsAs)
        {
            Amount = amount;
            UnknownCostCountsAs = unknownCostCountsAs;
        }

        public decimal Amount { get; }
        public decimal UnknownCostCountsAs { get; }
    }

    /// <summary>Whether a submission fits the day's limit, and if not, what the day had spent.</summary>
    internal sealed class SpendDecision
    {
        private SpendDecision(bool allowed, decimal spent, decimal limit)
        {
            IsAllowed = allowed;
            Spent = spent;
            Limit = limit;
        }

        public static readonly SpendDecision Allowed = new SpendDecision(true, 0, 0);
        public static SpendDecision Refused(decimal spent, decimal limit) => new SpendDecision(false, spent, limit);

        public bool IsAllowed { get; }
        public decimal Spent { get; }
        public decimal Limit { get; }
    }

    /// <summary>
    /// Each day's estimated spending (local day), as every process recorded it in the spending file beside the
    /// journal: a line charging a job when it is about to be sent, a line giving it back when it was never sent
    /// or was cancelled. Jobs removed from the journal, and compaction, leave it as it is: the day's total is a
    /// record, not a view of the job list. Read under the journal's lock, from where it stopped last time.
    /// </summary>
    internal sealed class SpendLedger
    {
        private readonly Dictionary<string, (DateTime Day, decimal? Cost)> _charged = new Dictionary<string, (DateTime, decimal?)>();
        private long _offset;
        private byte[] _lastLine = Array.Empty<byte>();

        /// <summary>The line that charges a job to the day it was submitted.</summary>
        public static string Charge(DreaminaJob job) => JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["job"] = Key(job),
            ["day"] = SpendingDay.Of(job),
            ["cost"] = job.Cost,
        });

        /// <summary>The line that settles a job's charge at what RunComfy says it charged, on the day it was charged to.</summary>
        public static string Settle(DreaminaJob job) => JsonSerializer.Serialize(new Dictionary<string, object?> { ["job"] = Key(job), ["settle"] = job.ActualCost });

        /// <summary>Whose charge a line is: the job's client id, which it has from before it was sent, else its request id.</summary>
        public static string Key(DreaminaJob job) => job.ClientId ?? job.RequestId!;

        /// <summary>The line that gives a job's charge back.</summary>
        public static string Refund(string job) => JsonSerializer.Serialize(new Dictionary<string, object> { ["job"] = job, ["refund"] = true });

        public decimal SpentToday(decimal unknownCostCountsAs)
        {
            var today = DateTime.Now.Date;
            decimal spent = 0;
            foreach (var (day, cost) in _charged.Values) if (day == today) spent += cost ?? unknownCostCountsAs;
            return spent;
        }

        /// <summary>Reads what was appended since the last call; a file that was replaced is read again from the start.</summary>
        public void CatchUp(string path)
        {
            if (!File.Exists(path)) return;
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            if (!StillContinues(file))
            {
                _charged.Clear();
                _offset = 0;
            }
            file.Seek(_offset, SeekOrigin.Begin);
            using var reader = new StreamReader(file, Encoding.UTF8, false, 65536, leaveOpen: true);
            var consumed = _offset;
            string? line;
            string? last = null;
            while ((line = reader.ReadLine()) is not null)
            {
                consumed += Encoding.UTF8.GetByteCount(line) + 1;
                last = line;
                Account(line);
            }
            // A last line without its newline is still being written (or was cut short): read it again next time.
            if (last is not null && consumed > file.Length)
            {
                consumed -= Encoding.UTF8.GetByteCount(last) + 1;
                last = null;
            }
            if (last is not null) _lastLine = Encoding.UTF8.GetBytes(last + "\n");
            _offset = consumed;
        }

        // The bytes just before where this ledger stopped are still the line it read last: nothing was rewritten.
        private bool StillContinues(FileStream file)
        {
            if (_offset == 0) return true;
            if (file.Length < _offset) return false;
            var seen = new byte[_lastLine.Length];
            file.Seek(_offset - seen.Length, SeekOrigin.Begin);
            var read = 0;
            while (read < seen.Length && file.Read(seen, read, seen.Length - read) is var n && n > 0) read += n;
            return read == seen.Length && seen.AsSpan().SequenceEqual(_lastLine);
        }

        private void Account(string line)
        {
            try
            {
                using var document = JsonDocument.Parse(line);
                var root = document.RootElement;
                if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("job", out var job) || job.GetString() is not { } key) return;
                if (root.TryGetProperty("refund", out var refund) && refund.ValueKind == JsonValueKind.True)
                {
                    _charged.Remove(key);
                    return;
                }
                if (root.TryGetProperty("settle", out var settled))
                {
                    if (settled.ValueKind == JsonValueKind.Number && _charged.TryGetValue(key, out var charge)) _charged[key] = (charge.Day, settled.GetDecimal());
                    return;
                }
                if (!root.TryGetProperty("day", out var day) || !DateTime.TryParseExact(day.GetString(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)) return;
                if (date.Date < DateTime.Now.Date.AddDays(-1)) return; // only today matters; yesterday stays for a run across midnight
                _charged[key] = (date.Date, root.TryGetProperty("cost", out var cost) && cost.ValueKind == JsonValueKind.Number ? cost.GetDecimal() : null);
            }
            catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
            {
                // A line a crash cut short charges nothing.
            }
        }
    }
}
