using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using Dreamina.Reporting;

namespace Dreamina.Journal
{
    /// <summary>What one journal line says: a job's state, or that a job was forgotten.</summary>
    internal sealed class JournalEntry
    {
        private JournalEntry(string? requestId, string? clientId, bool removed, DreaminaJob? job, DateTimeOffset? recordedAt)
        {
            RequestId = requestId;
            ClientId = clientId;
            Removed = removed;
            Job = job;
            RecordedAt = recordedAt;
        }

        public string? RequestId { get; }
        public string? ClientId { get; }
        public bool Removed { get; }
        public DreaminaJob? Job { get; }
        public DateTimeOffset? RecordedAt { get; }

        /// <summary>
        /// One line for a job. Every text passes the redactor's patterns: the exact token was masked where the
        /// service's words came in, and a signed link is kept without its signature (a later session asks for a
        /// fresh one).
        /// </summary>
        public static string Serialize(DreaminaJob job)
        {
            var clean = Redactor.PatternsOnly;
            var entry = new Dictionary<string, object?>
            {
                ["request_id"] = job.RequestId,
                ["client_id"] = job.ClientId,
                ["status"] = job.Status.ToString(),
                ["service_status"] = clean.RedactOrNull(job.ServiceStatus),
                ["queue_position"] = job.QueuePosition,
                ["prompt"] = job.Prompt,
                ["image_uri"] = job.ImageUri is null ? null : clean.Redact(job.ImageUri.AbsoluteUri),
                ["image_path"] = job.ImagePath,
                ["image_hash"] = job.ImageHash,
                ["seed"] = job.Seed,
                ["frames"] = job.Frames,
                ["cost"] = job.Cost,
                ["actual_cost"] = job.ActualCost,
                ["currency"] = job.Currency,
                ["submitted_at"] = Utc(job.SubmittedAt),
                ["created_at"] = Utc(job.CreatedAt),
                ["finished_at"] = Utc(job.FinishedAt),
                ["checked_at"] = Utc(job.CheckedAt),
                ["videos"] = job.VideoUris.Select(u => clean.Redact(u.AbsoluteUri)).ToArray(),
                ["error"] = clean.RedactOrNull(job.Error),
                ["error_code"] = clean.RedactOrNull(job.ErrorCode),
                ["service_uri"] = job.ServiceUri?.AbsoluteUri,
                ["saved_to"] = job.SavedTo,
                ["recorded_at"] = DateTimeOffset.UtcNow,
            };
            return JsonSerializer.Serialize(entry);
        }

        /// <summary>A line that forgets a job, named by its journal key.</summary>
        public static string Tombstone(string key)
        {
            var entry = new Dictionary<string, object> { ["removed"] = true, ["recorded_at"] = DateTimeOffset.UtcNow };
            if (key.StartsWith(ClientPrefix, StringComparison.Ordinal)) entry["client_id"] = key.Substring(ClientPrefix.Length);
            else entry["request_id"] = key;
            return JsonSerializer.Serialize(entry);
        }

        public const string ClientPrefix = "client:";

        /// <summary>The entry a line holds, or null for a line a crash cut short.</summary>
        public static JournalEntry? Parse(string line)
        {
            try
            {
                using var document = JsonDocument.Parse(line);
                var root = document.RootElement;
                if (root.ValueKind != JsonValueKind.Object) return null;
                var requestId = Text(root, "request_id");
                var clientId = Text(root, "client_id");
                if (requestId is null && clientId is null) return null;
                var recordedAt = Time(root, "recorded_at");
                if (root.TryGetProperty("removed", out var removed) && removed.ValueKind == JsonValueKind.True)
                    return new JournalEntry(requestId, clientId, true, null, recordedAt);
                var job = DreaminaJob.Restore(requestId, clientId);
                job.Status = Enum.TryParse<JobStatus>(Text(root, "status"), out var status) ? status : JobStatus.Unknown;
                job.ServiceStatus = Text(root, "service_status");
                job.QueuePosition = Number(root, "queue_position") is { } position ? (int)position : null;
                job.Prompt = Text(root, "prompt");
                job.ImageUri = AbsoluteUri(Text(root, "image_uri"));
                job.ImagePath = Text(root, "image_path");
                job.ImageHash = Text(root, "image_hash");
                job.Seed = Number(root, "seed");
                job.Frames = Number(root, "frames") is { } frames ? (int)frames : null;
                job.Cost = Decimal(root, "cost");
                job.ActualCost = Decimal(root, "actual_cost");
                job.Currency = Text(root, "currency");
                job.SubmittedAt = Time(root, "submitted_at");
                job.CreatedAt = Time(root, "created_at");
                job.FinishedAt = Time(root, "finished_at");
                job.CheckedAt = Time(root, "checked_at");
                job.Error = Text(root, "error");
                job.ErrorCode = Text(root, "error_code");
                job.ServiceUri = AbsoluteUri(Text(root, "service_uri"));
                job.SavedTo = Text(root, "saved_to");
                if (root.TryGetProperty("videos", out var videos) && videos.ValueKind == JsonValueKind.Array)
                {
                    job.VideoUris = videos.EnumerateArray().Select(v => v.ValueKind == JsonValueKind.String ? AbsoluteUri(v.GetString()) : null).OfType<Uri>().ToList();
                }
                if (recordedAt is { } recorded) job.SettleStaleSubmission(recorded);
                return new JournalEntry(requestId, clientId, false, job, recordedAt);
            }
            catch (JsonException)
            {
                return null;
            }
        }

        private static DateTimeOffset? Utc(DateTimeOffset? time) => time?.ToUniversalTime();

        private static Uri? AbsoluteUri(string? text) => text is not null && Uri.TryCreate(text, UriKind.Absolute, out var uri) ? uri : null;

        private static string? Text(JsonElement root, string name)
            => root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString()!.Length > 0 ? value.GetString() : null;

        private static long? Number(JsonElement root, string name)
            => root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number) ? number : null;

        private static decimal? Decimal(JsonElement root, string name)
            => root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetDecimal(out var number) ? number : null;

        private static DateTimeOffset? Time(JsonElement root, string name)
            => Text(root, name) is { } text && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var time) ? time : null;
    }
}
