using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Threading;

namespace Dreamina.Journal
{
    /// <summary>
    /// Every job this user submitted, kept on disk so no request id is ever lost. An append-only file of
    /// JSON lines, one snapshot per change; the newest line for a request id wins, and a "removed" line
    /// forgets it. Writers take a lock file, so several PowerShell processes can share it. It never holds a token.
    /// </summary>
    internal sealed class JobJournal
    {
        private static readonly TimeSpan LockPatience = TimeSpan.FromSeconds(10);
        private static readonly byte[] NewLine = { (byte)'\n' };
        /// <summary>Rewrite the file when it holds this many more lines than live jobs.</summary>
        internal const int CompactionSlack = 1000;

        public JobJournal(string path) => Path = path;

        public string Path { get; }

        public static string DefaultPath()
            => Environment.GetEnvironmentVariable(Configuration.DreaminaSession.JournalVariable) is { Length: > 0 } fromEnvironment
                ? fromEnvironment
                : System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create), "Dreamina", "jobs.jsonl");

        public void Record(params DreaminaJob[] jobs) => Append(jobs.Select(JournalEntry.Serialize));

        public void Forget(IEnumerable<string> requestIds)
        {
            using (Lock())
            {
                AppendLocked(requestIds.Select(JournalEntry.Tombstone));
                ReadAndCompactLocked(_ => { });
            }
        }

        /// <summary>Live jobs in the order they were first recorded; unreadable lines are skipped and reported.</summary>
        public List<DreaminaJob> Read(Action<string> warn)
        {
            if (!File.Exists(Path)) return new List<DreaminaJob>();
            using (Lock()) return ReadAndCompactLocked(warn);
        }

        // Every change appends a line, so the file is rewritten with only the live jobs once it has gathered
        // enough superseded lines; reading is when the counts are at hand.
        private List<DreaminaJob> ReadAndCompactLocked(Action<string> warn)
        {
            var live = ReadLocked(warn, out var lines);
            if (lines - live.Count > CompactionSlack) Compact(live);
            return live;
        }

        private void Append(IEnumerable<string> lines)
        {
            using (Lock()) AppendLocked(lines);
        }

        private void AppendLocked(IEnumerable<string> lines)
        {
            var created = !File.Exists(Path);
            using var file = new FileStream(Path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite);
            if (created) RestrictToOwner(Path, 0x180 /* 0600 */);
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
                if (entry.Value.Removed) jobs.Remove(entry.Value.RequestId);
                else if (entry.Value.Job is { } job)
                {
                    jobs.Remove(job.RequestId);
                    jobs.Add(job.RequestId, job);
                }
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
            if (!Directory.Exists(directory))
            {
                Directory.CreateDirectory(directory);
                RestrictToOwner(directory, 0x1C0 /* 0700 */);
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
                        $"The job journal {Path} could not be locked: {e.Message}. Another process may be holding it; try again, or set another path with Connect-Dreamina -JournalPath.", e);
                }
            }
        }

        private static void RestrictToOwner(string path, int mode)
        {
            if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows)) return;
            _ = chmod(path, mode);
        }

        [DllImport("libc", SetLastError = true)]
#pragma warning disable IDE1006 // the C name
        private static extern int chmod(string path, int mode);
#pragma warning restore IDE1006
    }

    /// <summary>One journal line and back.</summary>
    internal static class JournalEntry
    {
        public static string Serialize(DreaminaJob job)
        {
            var entry = new Dictionary<string, object?>
            {
                ["request_id"] = job.RequestId,
                ["status"] = job.Status.ToString(),
                ["service_status"] = job.ServiceStatus,
                ["queue_position"] = job.QueuePosition,
                ["prompt"] = job.Prompt,
                ["image_uri"] = job.ImageUri?.AbsoluteUri,
                ["seed"] = job.Seed,
                ["frames"] = job.Frames,
                ["submitted_at"] = job.SubmittedAt,
                ["finished_at"] = job.FinishedAt,
                ["checked_at"] = job.CheckedAt,
                ["videos"] = job.VideoUris.Select(u => u.AbsoluteUri).ToArray(),
                ["error"] = job.Error,
                ["error_code"] = job.ErrorCode,
                ["service_uri"] = job.ServiceUri?.AbsoluteUri,
                ["saved_to"] = job.SavedTo,
                ["recorded_at"] = DateTimeOffset.UtcNow,
            };
            return JsonSerializer.Serialize(entry);
        }

        public static string Tombstone(string requestId)
            => JsonSerializer.Serialize(new Dictionary<string, object> { ["request_id"] = requestId, ["removed"] = true, ["recorded_at"] = DateTimeOffset.UtcNow });

        public static (string RequestId, bool Removed, DreaminaJob? Job)? Parse(string line)
        {
            try
            {
                using var document = JsonDocument.Parse(line);
                var root = document.RootElement;
                if (root.ValueKind != JsonValueKind.Object || Text(root, "request_id") is not { Length: > 0 } id) return null;
                if (root.TryGetProperty("removed", out var removed) && removed.ValueKind == JsonValueKind.True) return (id, true, null);
                var job = new DreaminaJob(id)
                {
                    Status = Enum.TryParse<JobStatus>(Text(root, "status"), out var status) ? status : JobStatus.Unknown,
                    ServiceStatus = Text(root, "service_status"),
                    QueuePosition = Number(root, "queue_position") is { } position ? (int)position : null,
                    Prompt = Text(root, "prompt"),
                    ImageUri = Text(root, "image_uri") is { } image && Uri.TryCreate(image, UriKind.Absolute, out var imageUri) ? imageUri : null,
                    Seed = Number(root, "seed"),
                    Frames = Number(root, "frames") is { } frames ? (int)frames : null,
                    SubmittedAt = Time(root, "submitted_at"),
                    FinishedAt = Time(root, "finished_at"),
                    CheckedAt = Time(root, "checked_at"),
                    Error = Text(root, "error"),
                    ErrorCode = Text(root, "error_code"),
                    ServiceUri = Text(root, "service_uri") is { } service && Uri.TryCreate(service, UriKind.Absolute, out var serviceUri) ? serviceUri : null,
                    SavedTo = Text(root, "saved_to"),
                };
                if (root.TryGetProperty("videos", out var videos) && videos.ValueKind == JsonValueKind.Array)
                {
                    job.VideoUris = videos.EnumerateArray()
                        .Select(v => v.ValueKind == JsonValueKind.String && Uri.TryCreate(v.GetString(), UriKind.Absolute, out var u) ? u : null)
                        .Where(u => u is not null).ToList()!;
                }
                return (id, false, job);
            }
            catch (JsonException)
            {
                return null;
            }
        }

        private static string? Text(JsonElement root, string name)
            => root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

        private static long? Number(JsonElement root, string name)
            => root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number) ? number : null;

        private static DateTimeOffset? Time(JsonElement root, string name)
            => Text(root, name) is { } text && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var time) ? time : null;
    }
}
