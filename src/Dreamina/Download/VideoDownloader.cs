using System;
using System.Buffers;
using System.IO;
using System.Management.Automation;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Threading;
using System.Threading.Tasks;
using Dreamina.Service;

namespace Dreamina.Download
{
    /// <summary>
    /// Streams a video to a temporary file beside the target, resumes with Range after a dropped connection,
    /// checks the length, and only then moves it into place: the target is either complete or untouched.
    /// </summary>
    internal sealed class VideoDownloader
    {
        private const int BufferSize = 128 * 1024;
        private static readonly Random Jitter = new Random();
        private readonly HttpClient _content;
        private readonly DownloadPolicy _policy;
        private readonly IActivityLog _log;
        private readonly Func<string, Stream> _createPartial;

        /// <param name="createPartial">Opens the temporary file; tests pass one that fails as a full disk would.</param>
        public VideoDownloader(HttpClient content, DownloadPolicy policy, IActivityLog log, Func<string, Stream>? createPartial = null)
        {
            _content = content;
            _policy = policy;
            _log = log;
            // Unbuffered (a buffer of 1 byte: .NET Framework refuses 0) and synchronous: CopyAsync hands each chunk
            // straight to the kernel (see there).
            _createPartial = createPartial ?? (path => new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1, useAsync: false));
        }

        /// <param name="progress">Called with bytes so far and the total when known; from a background thread.</param>
        public async Task<FileInfo> DownloadAsync(Uri source, string target, bool overwrite, Action<long, long?> progress, CancellationToken cancel)
        {
            if (_policy.Refuse(source) is { } refused) throw new DreaminaException(ErrorIds.DownloadHostRefused, ErrorCategory.SecurityError, refused);
            if (!overwrite && File.Exists(target)) throw Exists(target);
            var directory = Path.GetDirectoryName(target)!;
            Directory.CreateDirectory(directory);
            var partial = Path.Combine(directory, "." + Path.GetFileName(target) + "." + Guid.NewGuid().ToString("N").Substring(0, 8) + ".part");
            try
            {
                using (var file = _createPartial(partial))
                {
                    await FillAsync(file, source, progress, cancel).ConfigureAwait(false);
                }
                if (File.Exists(target))
                {
                    if (!overwrite) throw Exists(target);
                    File.Replace(partial, target, null);
                }
                else
                {
                    File.Move(partial, target);
                }
                return new FileInfo(target);
            }
            finally
            {
                if (File.Exists(partial)) File.Delete(partial);
            }
        }

        private async Task FillAsync(Stream file, Uri source, Action<long, long?> progress, CancellationToken cancel)
        {
            long? total = null;
            EntityTagHeaderValue? etag = null;
            for (var failures = 0; ; )
            {
                var have = file.Length;
                try
                {
                    using var response = await ContentHttp.GetAsync(_content, source, _policy.Refuse,
                        r => { if (have > 0) ContentHttp.AskForRange(r, have, null, etag); }, cancel).ConfigureAwait(false);
                    var status = (int)response.StatusCode;
                    if (status == 416 && total == have) return;
                    if (status == 206 && response.Content.Headers.ContentRange?.From != have)
                    {
                        file.SetLength(0);
                        throw new IOException($"{source.Host} resumed at the wrong byte.");
                    }
                    if (status == 200 && have > 0)
                    {
                        // The server sent the whole file again (no range support, or the file changed): start over.
                        _log.Verbose($"{source.Host} did not resume at byte {have}; downloading from the start.");
                        file.SetLength(0);
                        have = 0;
                    }
                    if (status != 200 && status != 206) throw HttpFailure(source, status);
                    total = response.Content.Headers.ContentRange?.Length ?? response.Content.Headers.ContentLength + have;
                    etag ??= response.Headers.ETag;
                    if (total > _policy.MaxBytes) throw TooLarge(total.Value);
                    file.Seek(have, SeekOrigin.Begin);
                    using (var body = await response.Content.ReadAsStreamAsync().ConfigureAwait(false))
                    {
                        await CopyAsync(body, file, total, progress, cancel).ConfigureAwait(false);
                    }
                    if (total is null || file.Length == total) return;
                    throw new IOException($"The connection closed after {file.Length:N0} of {total:N0} bytes.");
                }
                catch (Exception e) when (!cancel.IsCancellationRequested && IsTransient(e))
                {
                    failures++;
                    if (failures > _policy.Retry.MaxRetries)
                    {
                        throw new DreaminaException(ErrorIds.DownloadIncomplete, ErrorCategory.ConnectionError,
                            $"The download from {source.Host} failed {failures} times ({e.Message}); nothing was saved. Run the command again to retry.", e);
                    }
                    var delay = _policy.Retry.DelayBefore(failures - 1, (e as DreaminaException)?.RetryAfter, Jitter);
                    _log.Verbose($"Download from {source.Host}: {e.Message} Resuming at byte {file.Length:N0} in {delay.TotalSeconds:0.##} s (try {failures} of {_policy.Retry.MaxRetries}).");
                    await Task.Delay(delay, cancel).ConfigureAwait(false);
                }
            }
        }

        /// <summary>
        /// Writes each chunk synchronously on the thread that received it. The HTTP stream's CopyToAsync queues
        /// every file write to the thread pool, which made half the 512 MB benchmark rounds 2-3x slower than curl
        /// on Linux (issue 5). A failed write (a full disk) ends the download: retrying would only fail again.
        /// </summary>
        private async Task CopyAsync(Stream body, Stream file, long? total, Action<long, long?> progress, CancellationToken cancel)
        {
            var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
            try
            {
                var position = file.Position;
                int read;
                while ((read = await body.ReadAsync(buffer, 0, BufferSize, cancel).ConfigureAwait(false)) > 0)
                {
                    position += read;
                    if (position > _policy.MaxBytes) throw TooLarge(position);
                    if (position > total)
                        throw new DreaminaException(ErrorIds.DownloadIncomplete, ErrorCategory.ProtocolError, $"The storage host sent more than the {total:N0} bytes it announced; nothing was saved.");
                    try
                    {
                        file.Write(buffer, 0, read);
                    }
                    catch (IOException e)
                    {
                        throw new DreaminaException(ErrorIds.DownloadWriteFailed, ErrorCategory.WriteError,
                            $"Writing the video to disk failed ({e.Message}); nothing was saved. Free some space or choose another -Directory, then save again.", e);
                    }
                    progress(position, total);
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }

        private static bool IsTransient(Exception e) => e is HttpRequestException or IOException || (e is DreaminaException d && d.IsTransient);

        private static DreaminaException HttpFailure(Uri source, int status)
        {
            var transient = status is 408 or 429 || status >= 500;
            return new DreaminaException(transient ? ErrorIds.ServiceUnavailable : ErrorIds.DownloadIncomplete,
                transient ? ErrorCategory.ResourceUnavailable : ErrorCategory.ReadError,
                status is 403 or 404 or 410
                    ? $"{source.Host} answered HTTP {status}: the video link may have expired (links last about an hour). Run Get-DreaminaStatus on the job for a fresh one, then save again."
                    : $"{source.Host} answered HTTP {status} for the video.")
            { IsTransient = transient };
        }

        private DreaminaException TooLarge(long size)
            => new DreaminaException(ErrorIds.DownloadTooLarge, ErrorCategory.LimitsExceeded,
                $"The video is {size:N0} bytes, over the {_policy.MaxBytes:N0}-byte limit; nothing was saved. Raise it with -MaximumSize if you expect such a file.");

        private static DreaminaException Exists(string target)
            => new DreaminaException(ErrorIds.FileExists, ErrorCategory.ResourceExists, $"{target} already exists. Use -Force to replace it, or choose another -Path.");
    }
}
