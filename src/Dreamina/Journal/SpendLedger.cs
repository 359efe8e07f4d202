using System;
using System.Collections.Generic;
using System.IO;
using System.Text;

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
    /// Today's spending (local day), as the journal's lines from every process tell it: each job counts once at
    /// its estimated cost, from the line written before it was sent, until it is cancelled or forgotten. Read
    /// under the journal's lock, from where it stopped last time, so a long journal is read once per session.
    /// </summary>
    internal sealed class SpendLedger
    {
        private readonly Dictionary<string, (DateTime Day, decimal? Cost)> _today = new Dictionary<string, (DateTime, decimal?)>();
        private readonly Dictionary<string, string> _keyOfRequest = new Dictionary<string, string>();
        private long _offset;
        private byte[] _lastLine = Array.Empty<byte>();

        public decimal SpentToday(decimal unknownCostCountsAs)
        {
            var today = DateTime.Now.Date;
            decimal spent = 0;
            foreach (var (day, cost) in _today.Values) if (day == today) spent += cost ?? unknownCostCountsAs;
            return spent;
        }

        /// <summary>Reads what was appended since the last call; after a compaction rewrote the file, reads it all again.</summary>
        public void CatchUp(string path)
        {
            if (!File.Exists(path)) return;
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            if (!StillContinues(file))
            {
                _today.Clear();
                _keyOfRequest.Clear();
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
            var entry = JournalEntry.Parse(line);
            if (entry is null) return;
            var key = entry.ClientId is { } client ? JournalEntry.ClientPrefix + client
                : entry.RequestId is { } request && _keyOfRequest.TryGetValue(request, out var known) ? known
                : entry.RequestId!;
            if (entry.RequestId is { } id) _keyOfRequest[id] = key;
            if (entry.Removed || entry.Job?.Status == JobStatus.Cancelled)
            {
                _today.Remove(key);
                return;
            }
            if (entry.Job?.SubmittedAt is not { } submitted) return;
            if (submitted.LocalDateTime.Date != DateTime.Now.Date)
            {
                _today.Remove(key);
                return;
            }
            _today[key] = (submitted.LocalDateTime.Date, entry.Job.Cost);
        }
    }
}
