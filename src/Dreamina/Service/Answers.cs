using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using System.Text.Json;
using Dreamina.Reporting;

namespace Dreamina.Service
{
    /// <summary>What RunComfy's answers about a job say, read field by field: a missing or odd field is absent, never a guess.</summary>
    internal static class Answers
    {
        public static JobSnapshot Snapshot(JsonElement root, string requestId, string what, Redactor redactor)
        {
            var word = OptionalString(root, "status") ?? throw Unreadable(what, "status");
            var snapshot = new JobSnapshot(requestId, word, StatusWords.Map(word));
            if (root.TryGetProperty("queue_position", out var position) && position.ValueKind == JsonValueKind.Number && position.TryGetInt32(out var place))
                snapshot.QueuePosition = place;
            if (root.TryGetProperty("output", out var output) && output.ValueKind == JsonValueKind.Object)
                snapshot.Videos = Videos(output);
            if (root.TryGetProperty("error", out var error) && error.ValueKind != JsonValueKind.Null)
            {
                // The service's own words go out as they are, but never a secret it echoed.
                snapshot.Error = redactor.Redact(ErrorBody.Describe(error).Message ?? "The service gave no reason.");
                if (error.ValueKind == JsonValueKind.Object && (error.TryGetProperty("code", out var code) || error.TryGetProperty("error_code", out code)))
                    snapshot.ErrorCode = redactor.Redact(code.ToString());
            }
            snapshot.CreatedAt = OptionalTime(root, "created_at");
            snapshot.FinishedAt = OptionalTime(root, "finished_at");
            snapshot.Cost = Amount(root, "cost");
            snapshot.ModelId = OptionalString(root, "model_id");
            return snapshot;
        }

        private static IReadOnlyList<Uri> Videos(JsonElement output)
        {
            var found = new List<Uri?>();
            if (output.TryGetProperty("video", out var single) && single.ValueKind == JsonValueKind.String) found.Add(single.GetString()!.AsAbsoluteUri());
            if (output.TryGetProperty("videos", out var many) && many.ValueKind == JsonValueKind.Array)
                found.AddRange(many.EnumerateArray().Where(v => v.ValueKind == JsonValueKind.String).Select(v => v.GetString()!.AsAbsoluteUri()));
            return found.OfType<Uri>().Distinct().ToList();
        }

        private static DreaminaException Unreadable(string what, string name)
            => new DreaminaException(ErrorIds.ProtocolError, ErrorCategory.ProtocolError,
                $"The service's {what} answer has no '{name}'. The API may have changed; try again later or report it.");

        // A missing, negative or non-numeric amount is unknown, as RunComfy's ComfyUI client reads it.
        private static decimal? Amount(JsonElement root, string name)
        {
            if (!root.TryGetProperty(name, out var value)) return null;
            decimal amount;
            if (value.ValueKind == JsonValueKind.Number && value.TryGetDecimal(out amount)) return amount >= 0 ? amount : null;
            return value.ValueKind == JsonValueKind.String && decimal.TryParse(value.GetString(), NumberStyles.Number, CultureInfo.InvariantCulture, out amount) && amount >= 0 ? amount : null;
        }

        public static string? OptionalString(JsonElement root, string name)
            => root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString()!.Length > 0 ? value.GetString() : null;

        private static DateTimeOffset? OptionalTime(JsonElement root, string name)
            => OptionalString(root, name) is { } text && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time) ? time : null;
    }

    internal static class UriText
    {
        public static Uri? AsAbsoluteUri(this string text) => Uri.TryCreate(text, UriKind.Absolute, out var uri) ? uri : null;
    }
}
