using System;
using System.Management.Automation;

namespace Dreamina
{
    /// <summary>Stable FullyQualifiedErrorId values: scripts may match on them.</summary>
    public static class ErrorIds
    {
        public const string TokenMissing = "DreaminaTokenMissing";
        public const string AuthenticationFailed = "DreaminaAuthenticationFailed";
        public const string InsufficientBalance = "DreaminaInsufficientBalance";
        public const string RequestForbidden = "DreaminaRequestForbidden";
        public const string RequestNotFound = "DreaminaRequestNotFound";
        public const string InvalidModel = "DreaminaInvalidModel";
        public const string InputRejected = "DreaminaInputRejected";
        public const string ServiceUnavailable = "DreaminaServiceUnavailable";
        public const string ServiceUnreachable = "DreaminaServiceUnreachable";
        public const string ServiceError = "DreaminaServiceError";
        public const string ConnectionFailed = "DreaminaConnectionFailed";
        public const string Timeout = "DreaminaTimeout";
        public const string ProtocolError = "DreaminaProtocolError";
        public const string SubmitOutcomeUnknown = "DreaminaSubmitOutcomeUnknown";
        public const string InsecureBaseUri = "DreaminaInsecureBaseUri";
        public const string ProxyAuthenticationFailed = "DreaminaProxyAuthenticationFailed";
        public const string ProxyInvalid = "DreaminaProxyInvalid";

        public const string PromptMissing = "DreaminaPromptMissing";
        public const string PromptTooLong = "DreaminaPromptTooLong";
        public const string ImageCountInvalid = "DreaminaImageCountInvalid";
        public const string ImageUriInvalid = "DreaminaImageUriInvalid";
        public const string ImageUriNotHttps = "DreaminaImageUriNotHttps";
        public const string FramesInvalid = "DreaminaFramesInvalid";
        public const string DurationInvalid = "DreaminaDurationInvalid";
        public const string FramesDurationConflict = "DreaminaFramesDurationConflict";

        public const string SeedInvalid = "DreaminaSeedInvalid";
        public const string TokenInvalid = "DreaminaTokenInvalid";

        public const string ImageUnreachable = "DreaminaImageUnreachable";
        public const string ImageFileNotFound = "DreaminaImageFileNotFound";
        public const string ImageFileUnreadable = "DreaminaImageFileUnreadable";
        public const string ImagePathIsDirectory = "DreaminaImagePathIsDirectory";
        public const string ImageSourceConflict = "DreaminaImageSourceConflict";
        public const string ImageFormatUnsupported = "DreaminaImageFormatUnsupported";
        public const string ImageUnreadable = "DreaminaImageUnreadable";
        public const string ImageFileTooLarge = "DreaminaImageFileTooLarge";
        public const string ImageTooSmall = "DreaminaImageTooSmall";
        public const string ImageTooLarge = "DreaminaImageTooLarge";
        public const string ImageRatioInvalid = "DreaminaImageRatioInvalid";

        public const string ImageInlineRefused = "DreaminaImageInlineRefused";
        public const string ImageStoreInvalid = "DreaminaImageStoreInvalid";
        public const string UploadRefused = "DreaminaUploadRefused";
        public const string UploadFailed = "DreaminaUploadFailed";
        public const string UploaderFailed = "DreaminaUploaderFailed";

        public const string PriceUnavailable = "DreaminaPriceUnavailable";
        public const string SpendLimitReached = "DreaminaSpendLimitReached";
        public const string SpendLimitInvalid = "DreaminaSpendLimitInvalid";

        public const string JobFailed = "DreaminaJobFailed";
        public const string JobNotFound = "DreaminaJobNotFound";
        public const string JobUnconfirmed = "DreaminaJobUnconfirmed";
        public const string JobStatusUnknown = "DreaminaJobStatusUnknown";
        public const string NotCancellable = "DreaminaJobNotCancellable";
        public const string NoVideo = "DreaminaJobHasNoVideo";
        public const string FileExists = "DreaminaFileExists";
        public const string PathIsDirectory = "DreaminaPathIsDirectory";
        public const string DownloadInProgress = "DreaminaDownloadInProgress";
        public const string DownloadNotVideo = "DreaminaDownloadNotVideo";
        public const string PathIsAmbiguous = "DreaminaPathAmbiguous";
        public const string FileNameInvalid = "DreaminaFileNameInvalid";
        public const string DownloadHostRefused = "DreaminaDownloadHostRefused";
        public const string DownloadTooLarge = "DreaminaDownloadTooLarge";
        public const string DownloadIncomplete = "DreaminaDownloadIncomplete";
        public const string DownloadWriteFailed = "DreaminaDownloadWriteFailed";
        public const string JournalUnavailable = "DreaminaJournalUnavailable";
        public const string JournalStoreInvalid = "DreaminaJournalStoreInvalid";
        public const string ResultModelMismatch = "DreaminaResultModelMismatch";
    }

    /// <summary>Any failure the module reports: carries what an ErrorRecord needs, and never the token.</summary>
    public sealed class DreaminaException : Exception
    {
        public DreaminaException(string errorId, ErrorCategory category, string message, Exception? inner = null)
            : base(message, inner)
        {
            ErrorId = errorId;
            Category = category;
        }

        public string ErrorId { get; }
        public ErrorCategory Category { get; }
        /// <summary>RunComfy's error code (such as 400004), when it gave one.</summary>
        public int? ServiceCode { get; set; }
        public int? HttpStatus { get; set; }
        /// <summary>Worth trying again later: throttling, a 5xx, a dropped connection, a timeout.</summary>
        public bool IsTransient { get; set; }
        /// <summary>For a POST: the service may have acted on the request even though no answer arrived.</summary>
        public bool MayHaveBeenProcessed { get; set; }
        /// <summary>Seconds or a date the service asked us to wait, already turned into a delay.</summary>
        public TimeSpan? RetryAfter { get; set; }

        public ErrorRecord ToErrorRecord(object? target)
            => new ErrorRecord(this, ErrorId, Category, target);

        /// <summary>The same error with other words (the redacted ones), keeping what scripts may test.</summary>
        internal DreaminaException WithMessage(string message) => new DreaminaException(ErrorId, Category, message, InnerException)
        {
            ServiceCode = ServiceCode,
            HttpStatus = HttpStatus,
            IsTransient = IsTransient,
            MayHaveBeenProcessed = MayHaveBeenProcessed,
            RetryAfter = RetryAfter,
        };
    }

    /// <summary>Errors that every later item of a batch would meet too: they stop the batch instead of repeating.</summary>
    internal static class BatchErrors
    {
        public static bool StopsTheBatch(DreaminaException error) => error.ErrorId is ErrorIds.TokenMissing or ErrorIds.TokenInvalid
            or ErrorIds.AuthenticationFailed or ErrorIds.InsufficientBalance or ErrorIds.InsecureBaseUri or ErrorIds.JournalUnavailable
            or ErrorIds.ProxyAuthenticationFailed or ErrorIds.ImageInlineRefused;
    }

    /// <summary>Errors about one job that several parts of the module report alike.</summary>
    internal static class JobErrors
    {
        public static DreaminaException Unconfirmed(DreaminaJob job)
            => new DreaminaException(ErrorIds.JobUnconfirmed, ErrorCategory.InvalidOperation,
                $"The job for '{job.Prompt}' (submitted {job.SubmittedAt:g}) has no request id: RunComfy's answer to its submission never arrived, so it cannot be followed. " +
                "Look for it among your requests in RunComfy's dashboard; once settled, remove it with Remove-DreaminaJob.");
    }
}
