using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Dreamina.Model;

namespace Dreamina
{
    /// <summary>Where a job stands, in PowerShell's words; mapped from both the /status and /result vocabularies.</summary>
    public enum JobStatus
    {
        /// <summary>The service used a status word this module does not know.</summary>
        Unknown,
        /// <summary>Sent to RunComfy, no answer recorded yet.</summary>
        Submitting,
        /// <summary>Sent, but whether RunComfy accepted it is unknown (the answer was lost): it may exist and be billed.</summary>
        Unconfirmed,
        Queued,
        Running,
        Completed,
        Failed,
        Cancelled,
    }

    /// <summary>One image-to-video generation, as submitted, waited on and downloaded.</summary>
    public sealed class DreaminaJob
    {
        /// <summary>How long a submission may wait for its answer (the retry budget and a request timeout) before a journal line saying "Submitting" must be a lost answer.</summary>
        internal static readonly TimeSpan LongestSubmission = TimeSpan.FromMinutes(10);
        private DateTimeOffset? _submittedAt;
        private DateTimeOffset? _createdAt;
        private DateTimeOffset? _finishedAt;
        private DateTimeOffset? _checkedAt;

        public DreaminaJob(string requestId)
        {
            if (string.IsNullOrWhiteSpace(requestId)) throw new ArgumentException("A request id is required.", nameof(requestId));
            RequestId = requestId;
        }

        /// <summary>A submission this module is about to send: known by its client id until RunComfy answers with a request id.</summary>
        internal DreaminaJob(Guid clientId)
        {
            ClientId = clientId.ToString("D");
            Status = JobStatus.Submitting;
        }

        private DreaminaJob()
        {
        }

        /// <summary>A job as a journal line describes it; an unanswered submission has no request id.</summary>
        internal static DreaminaJob Restore(string? requestId, string? clientId) => new DreaminaJob { RequestId = requestId, ClientId = clientId };

        /// <summary>RunComfy's id for the job; empty while the submission is unanswered or unconfirmed.</summary>
        public string? RequestId { get; internal set; }
        /// <summary>This module's own id for a submission, given before it is sent (the journal's write-ahead key).</summary>
        public string? ClientId { get; internal set; }
        public JobStatus Status { get; internal set; } = JobStatus.Unknown;
        /// <summary>The last status word the service used, as it spelled it.</summary>
        public string? ServiceStatus { get; internal set; }
        /// <summary>Place in RunComfy's queue, present only while queued.</summary>
        public int? QueuePosition { get; internal set; }
        public string? Prompt { get; internal set; }
        /// <summary>The image the service fetched; for an uploaded file, its address without the storage's signature.</summary>
        public Uri? ImageUri { get; internal set; }
        /// <summary>The local file that was uploaded for this job, if any.</summary>
        public string? ImagePath { get; internal set; }
        /// <summary>SHA-256 of the uploaded file's content.</summary>
        public string? ImageHash { get; internal set; }
        public long? Seed { get; internal set; }
        public int? Frames { get; internal set; }
        /// <summary>The estimated cost at the model's published price; empty when the price or its unit is unknown.</summary>
        public decimal? Cost { get; internal set; }
        /// <summary>What RunComfy says it charged for the job (its result's <c>cost</c>); empty until it says.</summary>
        public decimal? ActualCost { get; internal set; }
        public string? Currency { get; internal set; }

        /// <summary>When this module sent the job, in local time.</summary>
        public DateTimeOffset? SubmittedAt { get => _submittedAt?.ToLocalTime(); internal set => _submittedAt = value; }
        /// <summary>When the job finished, in local time: RunComfy's time when it gave one.</summary>
        public DateTimeOffset? FinishedAt { get => _finishedAt?.ToLocalTime(); internal set => _finishedAt = value; }
        /// <summary>When RunComfy was last asked about the job, in local time.</summary>
        public DateTimeOffset? CheckedAt { get => _checkedAt?.ToLocalTime(); internal set => _checkedAt = value; }
        /// <summary>When RunComfy says it received the job (its own clock).</summary>
        internal DateTimeOffset? CreatedAt { get => _createdAt; set => _createdAt = value; }

        /// <summary>The first video of a finished job.</summary>
        public Uri? VideoUri => VideoUris.FirstOrDefault();
        public IReadOnlyList<Uri> VideoUris { get; internal set; } = Array.Empty<Uri>();
        /// <summary>The service's message for a failed job, or why a submission is unconfirmed.</summary>
        public string? Error { get; internal set; }
        public string? ErrorCode { get; internal set; }
        /// <summary>The API the job was submitted to.</summary>
        public Uri? ServiceUri { get; internal set; }
        /// <summary>Where Save-DreaminaVideo last put the video.</summary>
        public string? SavedTo { get; internal set; }

        public bool IsFinished => Status is JobStatus.Completed or JobStatus.Failed or JobStatus.Cancelled;

        /// <summary>From submission to finish, or to now while the job is still going; never negative, whatever the clocks say.</summary>
        public TimeSpan? Elapsed
        {
            get
            {
                // RunComfy's own pair of times when it gave both, else this machine's view.
                var start = _finishedAt is not null && _createdAt is not null ? _createdAt : _submittedAt;
                if (start is null) return null;
                var span = (_finishedAt ?? DateTimeOffset.UtcNow) - start.Value;
                return span < TimeSpan.Zero ? TimeSpan.Zero : span;
            }
        }

        /// <summary>Seconds of video the job makes.</summary>
        public int? DurationSeconds => Frames is { } frames ? DreaminaModel.SecondsOf(frames) : null;

        /// <summary>The journal's key: the request id, or the client id of a submission RunComfy has not answered.</summary>
        internal string Key => RequestId ?? "client:" + ClientId;

        public override string ToString()
        {
            var where = Status switch
            {
                JobStatus.Queued when QueuePosition is { } position => $"Queued (position {position.ToString(CultureInfo.InvariantCulture)})",
                JobStatus.Completed when VideoUri is { } video => $"Completed: {video}",
                JobStatus.Failed when Error is { } error => $"Failed: {error}",
                _ => Status.ToString(),
            };
            return $"{RequestId ?? "(no request id)"} {where}";
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
            if (snapshot.CreatedAt is { } created) CreatedAt = created;
            if (snapshot.FinishedAt is { } finished) FinishedAt = finished;
            else if (IsFinished && FinishedAt is null) FinishedAt = CheckedAt;
            if (snapshot.Cost is { } charged) ActualCost = charged;
        }

        /// <summary>A journal line that still says "Submitting" long after any answer could have come: the answer was lost.</summary>
        internal void SettleStaleSubmission(DateTimeOffset recordedAt)
        {
            if (Status != JobStatus.Submitting || DateTimeOffset.UtcNow - recordedAt < LongestSubmission) return;
            Status = JobStatus.Unconfirmed;
            Error ??= "The session that sent it ended before RunComfy's answer was recorded.";
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
        /// <summary>What the service says it charged; null when it did not say, or said something that is not an amount.</summary>
        public decimal? Cost { get; set; }
        /// <summary>The model the answer is about, when the service names it.</summary>
        public string? ModelId { get; set; }
        public bool IsFinished => Status is JobStatus.Completed or JobStatus.Failed or JobStatus.Cancelled;
    }

    internal static class StatusWords
    {
        /// <summary>
        /// Both vocabularies in one map: /status says completed, /result says succeeded. A terminal word on
        /// /status only means "read the result"; the result decides success (the contract's uncertain point).
        /// RunComfy's own ComfyUI client also knows pending and waiting (queued), starting and processing (running).
        /// </summary>
        public static JobStatus Map(string? word) => word?.Trim().ToLowerInvariant() switch
        {
            "in_queue" or "pending" or "waiting" => JobStatus.Queued,
            "in_progress" or "starting" or "processing" => JobStatus.Running,
            "completed" or "succeeded" => JobStatus.Completed,
            "failed" => JobStatus.Failed,
            "cancelled" or "canceled" => JobStatus.Cancelled,
            _ => JobStatus.Unknown,
        };
    }
}
