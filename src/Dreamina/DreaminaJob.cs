using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace Dreamina
{
    /// <summary>Where a job stands, in PowerShell's words; mapped from both the /status and /result vocabularies.</summary>
    public enum JobStatus
    {
        Unknown,
        Queued,
        Running,
        Completed,
        Failed,
        Cancelled,
    }

    /// <summary>One image-to-video generation, as submitted, waited on and downloaded.</summary>
    public sealed class DreaminaJob
    {
        public DreaminaJob(string requestId)
        {
            if (string.IsNullOrWhiteSpace(requestId)) throw new ArgumentException("A request id is required.", nameof(requestId));
            RequestId = requestId;
        }

        public string RequestId { get; }
        public JobStatus Status { get; set; } = JobStatus.Unknown;
        /// <summary>The last status word the service used, as it spelled it.</summary>
        public string? ServiceStatus { get; set; }
        /// <summary>Place in RunComfy's queue, present only while queued.</summary>
        public int? QueuePosition { get; set; }
        public string? Prompt { get; set; }
        public Uri? ImageUri { get; set; }
        public long? Seed { get; set; }
        public int? Frames { get; set; }
        public DateTimeOffset? SubmittedAt { get; set; }
        public DateTimeOffset? FinishedAt { get; set; }
        public DateTimeOffset? CheckedAt { get; set; }
        /// <summary>The first video of a finished job.</summary>
        public Uri? VideoUri => VideoUris.FirstOrDefault();
        public IReadOnlyList<Uri> VideoUris { get; set; } = Array.Empty<Uri>();
        /// <summary>The service's message for a failed job.</summary>
        public string? Error { get; set; }
        public string? ErrorCode { get; set; }
        /// <summary>The API the job was submitted to.</summary>
        public Uri? ServiceUri { get; set; }
        /// <summary>Where Save-DreaminaVideo last put the video.</summary>
        public string? SavedTo { get; set; }

        public bool IsFinished => Status is JobStatus.Completed or JobStatus.Failed or JobStatus.Cancelled;

        /// <summary>From submission to finish, or to now while the job is still going.</summary>
        public TimeSpan? Elapsed => SubmittedAt is { } submitted ? (FinishedAt ?? DateTimeOffset.UtcNow) - submitted : null;

        /// <summary>Seconds of video the job makes: 121 frames at 24 fps is 5 s, 241 is 10 s.</summary>
        public int? DurationSeconds => Frames is { } frames ? (frames - 1) / 24 : null;

        public override string ToString()
        {
            var where = Status switch
            {
                JobStatus.Queued when QueuePosition is { } position => $"Queued (position {position.ToString(CultureInfo.InvariantCulture)})",
                JobStatus.Completed when VideoUri is { } video => $"Completed: {video}",
                JobStatus.Failed when Error is { } error => $"Failed: {error}",
                _ => Status.ToString(),
            };
            return $"{RequestId} {where}";
        }

        internal void Apply(JobSnapshot snapshot)
        {
            ServiceStatus = snapshot.Word;
            CheckedAt = DateTimeOffset.UtcNow;
            // A stale answer never moves a finished job back.
            if (IsFinished && !snapshot.IsFinished) return;
            Status = snapshot.Status;
            QueuePosition = snapshot.Status == JobStatus.Queued ? snapshot.QueuePosition : null;
            if (snapshot.Videos.Count > 0) VideoUris = snapshot.Videos;
            if (snapshot.Error is not null) Error = snapshot.Error;
            if (snapshot.ErrorCode is not null) ErrorCode = snapshot.ErrorCode;
            if (snapshot.CreatedAt is { } created && SubmittedAt is null) SubmittedAt = created;
            if (snapshot.FinishedAt is { } finished) FinishedAt = finished;
            else if (IsFinished && FinishedAt is null) FinishedAt = CheckedAt;
        }
    }

    /// <summary>What one answer from /status or /result said about a job.</summary>
    internal sealed class JobSnapshot
    {
        public JobSnapshot(string requestId, string word, JobStatus status)
        {
            RequestId = requestId;
            Word = word;
            Status = status;
        }

        public string RequestId { get; }
        public string Word { get; }
        public JobStatus Status { get; }
        public int? QueuePosition { get; set; }
        public IReadOnlyList<Uri> Videos { get; set; } = Array.Empty<Uri>();
        public string? Error { get; set; }
        public string? ErrorCode { get; set; }
        public DateTimeOffset? CreatedAt { get; set; }
        public DateTimeOffset? FinishedAt { get; set; }
        public bool IsFinished => Status is JobStatus.Completed or JobStatus.Failed or JobStatus.Cancelled;
    }

    internal static class StatusWords
    {
        /// <summary>
        /// Both vocabularies in one map: /status says completed, /result says succeeded. A terminal word on
        /// /status only means "read the result"; the result decides success (the contract's uncertain point).
        /// </summary>
        public static JobStatus Map(string? word) => word?.Trim().ToLowerInvariant() switch
        {
            "in_queue" => JobStatus.Queued,
            "in_progress" => JobStatus.Running,
            "completed" or "succeeded" => JobStatus.Completed,
            "failed" => JobStatus.Failed,
            "cancelled" or "canceled" => JobStatus.Cancelled,
            _ => JobStatus.Unknown,
        };
    }
}
