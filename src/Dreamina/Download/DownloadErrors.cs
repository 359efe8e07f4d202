using System;
using System.Management.Automation;
using Dreamina.Transport;

namespace Dreamina.Download
{
    /// <summary>The errors a download ends with, each saying what happened to the file and what to do.</summary>
    internal static class DownloadErrors
    {
        public static DreaminaException Exists(string target)
            => new DreaminaException(ErrorIds.FileExists, ErrorCategory.ResourceExists, $"{target} already exists. Use -Force to replace it, or choose another -Path.");

        public static DreaminaException IsDirectory(string target)
            => new DreaminaException(ErrorIds.PathIsDirectory, ErrorCategory.InvalidArgument,
                $"{target} is a folder; -Path names the file to write. Give a file name, or use -Directory '{target}' to save into that folder.");

        public static DreaminaException NotVideo(Uri source, string problem)
            => new DreaminaException(ErrorIds.DownloadNotVideo, ErrorCategory.InvalidData,
                $"What {source.Host} sent is not a whole MP4 video: {problem}. Nothing was saved. Run Get-DreaminaStatus on the job for a fresh link, then save again.");

        public static DreaminaException TooLarge(long size, long limit)
            => new DreaminaException(ErrorIds.DownloadTooLarge, ErrorCategory.LimitsExceeded,
                $"The video is {size:N0} bytes, over the {limit:N0}-byte limit; nothing was saved. Raise it with -MaximumSize if you expect such a file.");

        public static DreaminaException Http(Uri source, int status)
        {
            var transient = WebAddress.IsTransientStatus(status);
            return new DreaminaException(transient ? ErrorIds.ServiceUnavailable : ErrorIds.DownloadIncomplete,
                transient ? ErrorCategory.ResourceUnavailable : ErrorCategory.ReadError,
                status is 403 or 404 or 410
                    ? $"{source.Host} answered HTTP {status}: the video link may have expired (links last about an hour). Run Get-DreaminaStatus on the job for a fresh one, then save again."
                    : $"{source.Host} answered HTTP {status} for the video.")
            { IsTransient = transient };
        }
    }
}
