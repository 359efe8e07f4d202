using System;
using System.Buffers;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Dreamina.Reporting;
using Dreamina.Transport;

namespace Dreamina.Download
{
    /// <summary>
    /// Streams a video to a partial file beside the target, resumes with Range after a dropped connection or a
    /// stall, checks that what arrived is a whole MP4 of the announced length, and only then moves it into place:
    /// the target is either a real, complete video or untouched. The partial file has a fixed name and a small
    /// note beside it (request id, ETag, length), so another process, after a crash, resumes where it stopped.
    /// </summary>
    internal sealed class VideoDownloader
    {
        private const int BufferSize = 1024 * 1024;
        /// <summary>Partial files nobody came back for are removed after this long.</summary>
        private static readonly TimeSpan Orphaned = TimeSpan.FromDays(2);
        private readonly HttpClient _content;
        private readonly DownloadPolicy _policy;
        private readonly IActivityLog _log;
        private readonly Func<string, Stream> _openPartial;

        /// <param name="openPartial">Opens the partial file; tests pass one that fails as a full disk would.</param>
        public VideoDownloader(HttpClient content, DownloadPolicy policy, IActivityLog log, Func<string, Stream>? openPartial = null)
        {
            _content = content;
            _policy = policy;
            _log = log;
            // Unbuffered (a buffer of 1 byte: .NET Framework refuses 0) and synchronous: CopyAsync hands each chunk
            // straight to the kernel (see there). No sharing: a second process saving the same file finds it busy.
            _openPartial = openPartial ?? (path => new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, bufferSize: 1, useAsync: false));
        }

        public static string PartialPath(string target) => Sibling(target, ".part");
        public static string NotePath(string target) => Sibling(target, ".part.json");

        /// <summary>
        /// The target, when an earlier run of this job's download moved it into place but stopped before the
        /// journal said so (its note is still there); null otherwise.
        /// </summary>
        public static FileInfo? FinishedEarlier(string target, string requestId)
        {
            var note = PartialNote.Read(NotePath(target));
            if (note?.RequestId != requestId || !File.Exists(target) || File.Exists(PartialPath(target))) return null;
            var file = new FileInfo(target);
            return (note.Length is null || note.Length == file.Length) && Mp4Check.Problem(target) is null ? file : null;
        }

        /// <summary>Removes the note once the journal records where the video is.</summary>
        public static void Settle(string target) => DeleteQuietly(NotePath(target));

        /// <summary>Removes partial files and notes in a folder that nobody has come back for in two days.</summary>
        public static void CleanOrphans(string folder)
        {
            if (!Directory.Exists(folder)) return;
            foreach (var note in Directory.EnumerateFiles(folder, ".*.part.json"))
            {
                if (DateTime.UtcNow - File.GetLastWriteTimeUtc(note) < Orphaned) continue;
                DeleteQuietly(note.Substring(0, note.Length - ".json".Length));
                DeleteQuietly(note);
            }
        }

        /// <param name="progress">Called with bytes so far and the total when known; from a background thread.</param>
        public async Task<FileInfo> DownloadAsync(Uri source, string target, string requestId, bool overwrite, Action<long, long?> progress, CancellationToken cancel)
        {
            if (_policy.Refuse(source) is { } refused) throw refused;
            if (Directory.Exists(target)) throw DownloadErrors.IsDirectory(target);
            if (!overwrite && File.Exists(target)) throw DownloadErrors.Exists(target);
            var directory = Path.GetDirectoryName(target)!;
            Directory.CreateDirectory(directory);
            var partial = PartialPath(target);
            var notePath = NotePath(target);
            var keepPartial = false;
            try
            {
                Stream file;
                try
                {
                    file = _openPartial(partial);
                }
                catch (IOException e) when (File.Exists(partial))
                {
                    throw new DreaminaException(ErrorIds.DownloadInProgress, ErrorCategory.ResourceBusy,
                        $"Another process is saving a video to {target} right now ({e.Message.TrimEnd('.')}). Let it finish, or save this one elsewhere.", e);
                }
                using (file)
                {
                    var earlier = PartialNote.Read(notePath);
                    var resume = earlier is { ETag: not null } && earlier.RequestId == requestId && file.Length > 0 ? earlier : null;
                    if (resume is null) file.SetLength(0);
                    else _log.Verbose($"Resuming the download of job {requestId} at byte {file.Length:N0}, where an earlier run stopped.");
                    var note = new PartialNote(requestId, resume?.ETag, resume?.Length);
                    try
                    {
                        await FillAsync(file, source, note, notePath, progress, cancel).ConfigureAwait(false);
                    }
                    catch (DreaminaException e) when (e.ErrorId == ErrorIds.DownloadIncomplete && e.IsTransient)
                    {
                        keepPartial = true; // the next run resumes from here
                        throw;
                    }
                }
                if (Mp4Check.Problem(partial) is { } problem) throw DownloadErrors.NotVideo(source, problem);
                if (File.Exists(target))
                {
                    if (!overwrite) throw DownloadErrors.Exists(target);
                    File.Replace(partial, target, null);
                }
                else
                {
                    File.Move(partial, target);
                }
                keepPartial = true; // the note stays until the journal has the video's place (Settle)
                return new FileInfo(target);
            }
            finally
            {
                if (!keepPartial)
                {
                    DeleteQuietly(partial);
                    DeleteQuietly(notePath);
                }
            }
        }

        private Task FillAsync(Stream file, Uri source, PartialNote note, string notePath, Action<long, long?> progress, CancellationToken cancel)
        {
            var limit = _policy.Retry.RequestTimeout;
            var loop = new RetryLoop(_policy.Retry)
            {
                BeforePause = (e, retry, pause) => _log.Verbose(
                    $"Download from {source.Host}: {e.Message.TrimEnd('.')}. Resuming at byte {file.Length:N0} in {pause.TotalSeconds:0.##} s (try {retry} of {_policy.Retry.MaxRetries})."),
                GiveUp = (e, attempts, _) => new DreaminaException(ErrorIds.DownloadIncomplete, ErrorCategory.ConnectionError,
                    $"The download from {source.Host} failed {attempts} times ({e.Message.TrimEnd('.')}). What arrived is kept: run the command again to resume.", e)
                { IsTransient = true },
            };
            return loop.RunAsync(async () =>
            {
                var have = file.Length;
                var etag = note.ETag is null ? null : EntityTagHeaderValue.Parse(note.ETag);
                using var response = await ContentHttp.GetAsync(_content, source, _policy.RefuseHop,
                    r => { if (have > 0) ContentHttp.AskForRange(r, have, null, etag); }, limit, cancel).ConfigureAwait(false);
                var status = (int)response.StatusCode;
                if (status == 416 && note.Length == have) return;
                if (status == 206 && response.Content.Headers.ContentRange?.From != have)
                {
                    file.SetLength(0);
                    throw new IOException($"{source.Host} resumed at the wrong byte.");
                }
                if (status == 200 && have > 0)
                {
                    // The server sent the whole file again (no range support, or the file changed): start over.
                    _log.Verbose($"{source.Host} did not resume at byte {have:N0}; downloading from the start.");
                    file.SetLength(0);
                    have = 0;
                }
                if (status != 200 && status != 206) throw DownloadErrors.Http(source, status);
                var total = response.Content.Headers.ContentRange?.Length ?? response.Content.Headers.ContentLength + have;
                if (total > _policy.MaxBytes) throw DownloadErrors.TooLarge(total.Value, _policy.MaxBytes);
                if (have == 0) note = new PartialNote(note.RequestId, response.Headers.ETag?.ToString(), total);
                note.Write(notePath);
                file.Seek(have, SeekOrigin.Begin);
                using (var body = new WatchedBody(await response.Content.ReadAsStreamAsync().ConfigureAwait(false), source, _policy.Retry.RequestTimeout, cancel))
                {
                    await CopyAsync(body, file, source, total, response.Content.Headers.ContentType?.MediaType, progress).ConfigureAwait(false);
                }
                if (total is null || file.Length == total) return;
                throw new IOException($"The connection closed after {file.Length:N0} of {total:N0} bytes.");
            }, cancel);
        }

        /// <summary>
        /// Writes each chunk synchronously on the thread that received it. The HTTP stream's CopyToAsync queues
        /// every file write to the thread pool, which made half the 512 MB benchmark rounds 2-3x slower than curl
        /// on Linux (issue 5). A failed write (a full disk) ends the download: retrying would only fail again.
        /// The first bytes must open an MP4, so an HTML page is refused at once, not after it has all arrived.
        /// </summary>
        private async Task CopyAsync(WatchedBody body, Stream file, Uri source, long? total, string? mediaType, Action<long, long?> progress)
        {
            var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
            try
            {
                var position = file.Position;
                int read;
                while ((read = await body.ReadAsync(buffer, 0, BufferSize).ConfigureAwait(false)) > 0)
                {
                    if (position == 0 && Mp4Check.StartProblem(buffer, read) is { } problem)
                        throw DownloadErrors.NotVideo(source, mediaType is null ? problem : $"{problem}; the host called it {mediaType}");
                    position += read;
                    if (position > _policy.MaxBytes) throw DownloadErrors.TooLarge(position, _policy.MaxBytes);
                    if (position > total)
                        throw new DreaminaException(ErrorIds.DownloadIncomplete, ErrorCategory.ProtocolError, $"The storage host sent more than the {total:N0} bytes it announced; nothing was saved.");
                    try
                    {
                        file.Write(buffer, 0, read);
                    }
                    catch (IOException e)
                    {
                        throw new DreaminaException(ErrorIds.DownloadWriteFailed, ErrorCategory.WriteError,
                            $"Writing the video to disk failed ({e.Message.TrimEnd('.')}); nothing was saved. Free some space or choose another -Directory, then save again.", e);
                    }
                    progress(position, total);
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }

        private static string Sibling(string target, string suffix) => Path.Combine(Path.GetDirectoryName(target)!, "." + Path.GetFileName(target) + suffix);

        private static void DeleteQuietly(string path)
        {
            try { File.Delete(path); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }

        /// <summary>What a partial download is of: the job, the version of the file (ETag) and its length.</summary>
        private sealed class PartialNote
        {
            public PartialNote(string requestId, string? etag, long? length)
            {
                RequestId = requestId;
                ETag = etag;
                Length = length;
            }

            public string RequestId { get; }
            public string? ETag { get; }
            public long? Length { get; }

            public void Write(string path)
                => File.WriteAllText(path, JsonSerializer.Serialize(new Dictionary<string, object?> { ["request_id"] = RequestId, ["etag"] = ETag, ["length"] = Length }));

            public static PartialNote? Read(string path)
            {
                try
                {
                    if (!File.Exists(path)) return null;
                    using var document = JsonDocument.Parse(File.ReadAllText(path));
                    var root = document.RootElement;
                    if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("request_id", out var id) || id.ValueKind != JsonValueKind.String) return null;
                    var etag = root.TryGetProperty("etag", out var e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null;
                    long? length = root.TryGetProperty("length", out var l) && l.ValueKind == JsonValueKind.Number ? l.GetInt64() : null;
                    return new PartialNote(id.GetString()!, etag, length);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or FormatException)
                {
                    return null;
                }
            }
        }
    }
}
