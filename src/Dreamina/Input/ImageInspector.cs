using System;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Threading;
using System.Threading.Tasks;
using Dreamina.Model;
using Dreamina.Service;
using Dreamina.Transport;

namespace Dreamina.Input
{
    /// <summary>Checks an image against the model's rules, reading no more of it than it must.</summary>
    internal sealed class ImageInspector
    {
        /// <summary>What the first request asks for: enough for a PNG and for most JPEGs' frame headers.</summary>
        private const int FirstWindow = 64 * 1024;
        private readonly HttpClient _content;
        private readonly TimeSpan _limit;
        private readonly InputRules _rules;

        /// <param name="limit">The longest wait for any answer or any next bytes (Connect-Dreamina -TimeoutSec).</param>
        /// <param name="rules">The model's rules the image is checked against.</param>
        public ImageInspector(HttpClient content, TimeSpan limit, InputRules rules)
        {
            _content = content;
            _limit = limit;
            _rules = rules;
        }

        /// <param name="display">How the report names the image: the URL without its secrets.</param>
        public async Task<DreaminaImageReport> InspectUriAsync(Uri uri, string display, CancellationToken cancel)
        {
            using var image = new HttpImage(_content, uri, _limit);
            try
            {
                if (await image.OpenAsync(cancel).ConfigureAwait(false) is { } refusal) return Unreachable(display, refusal);
                var (header, consumed) = await ImageHeader.ReadAsync(image, _rules.MaxImageBytes, cancel).ConfigureAwait(false);
                // Without a stated size, read on (up to the limit) to measure it.
                var size = image.Total ?? await image.MeasureAsync(_rules.MaxImageBytes, cancel).ConfigureAwait(false);
                return Report(display, header, size);
            }
            catch (DreaminaException e) when (e.IsTransient || e.ErrorId is ErrorIds.ProtocolError or ErrorIds.ImageUnreachable)
            {
                return Unreachable(display, e.Message);
            }
            catch (HttpRequestException e)
            {
                // Only this machine's view: whether RunComfy's servers can reach the host is not known here.
                return Unreachable(display, $"{uri.Host} could not be reached from this machine ({e.GetBaseException().Message.TrimEnd('.')}).");
            }
        }

        /// <summary>A file on disk, checked by its content: what would be uploaded for it.</summary>
        public async Task<DreaminaImageReport> InspectFileAsync(string path, CancellationToken cancel)
        {
            if (Directory.Exists(path))
                return Problem(path, ErrorIds.ImagePathIsDirectory, $"'{path}' is a folder, not an image file. Give the files in it, for example with Get-ChildItem '{path}' -File.");
            if (!File.Exists(path))
                return Problem(path, ErrorIds.ImageFileNotFound, $"The image file '{path}' does not exist.");
            try
            {
                using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 4096, useAsync: true);
                var (header, _) = await ImageHeader.ReadAsync(new StreamImage(stream), _rules.MaxImageBytes, cancel).ConfigureAwait(false);
                return Report(path, header, stream.Length);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return Problem(path, ErrorIds.ImageFileUnreadable, $"The file '{path}' cannot be read: {e.Message.TrimEnd('.')}. Check its permissions, or whether another program holds it.");
            }
        }

        /// <summary>The report as an error to stop a submission: the first problem's id, every problem's message.</summary>
        public static DreaminaException Rejection(DreaminaImageReport report)
        {
            var id = report.Problems[0].ErrorId;
            var category = id switch
            {
                ErrorIds.ImageUnreachable => ErrorCategory.ResourceUnavailable,
                ErrorIds.ImageFileNotFound => ErrorCategory.ObjectNotFound,
                ErrorIds.ImageFileUnreadable => ErrorCategory.ReadError,
                ErrorIds.ImagePathIsDirectory or ErrorIds.ImageUriInvalid => ErrorCategory.InvalidArgument,
                _ => ErrorCategory.InvalidData,
            };
            var problems = string.Join(" ", report.Problems.Select(p => p.Message));
            return new DreaminaException(id, category, id switch
            {
                ErrorIds.ImageUnreachable => $"Image {report.Source} could not be checked, so nothing was submitted for it: {problems} " +
                    "If RunComfy's servers can fetch it although this machine cannot, add -SkipImageCheck.",
                ErrorIds.ImageFileNotFound or ErrorIds.ImageFileUnreadable or ErrorIds.ImagePathIsDirectory => $"{problems} Nothing was submitted for it.",
                _ => $"Image {report.Source} would be rejected by the service, so nothing was submitted: {problems}",
            });
        }

        private DreaminaImageReport Report(string source, ImageHeader header, long? size)
        {
            var problems = ImageRules.Check(header, size, _rules);
            return new DreaminaImageReport(source, header.Format == ImageFormat.Unknown ? null : header.Format.ToString().ToUpperInvariant(),
                header.Problem is null ? header.Width : null, header.Problem is null ? header.Height : null, size, problems);
        }

        private static DreaminaImageReport Unreachable(string source, string message) => Problem(source, ErrorIds.ImageUnreachable, message);

        internal static DreaminaImageReport Problem(string source, string errorId, string message)
            => new DreaminaImageReport(source, null, null, null, null, new[] { new DreaminaImageProblem(errorId, message) });

        private sealed class StreamImage : IImageBytes
        {
            private readonly Stream _stream;
            public StreamImage(Stream stream) => _stream = stream;
            public Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancel) => _stream.ReadAsync(buffer, offset, count, cancel);
        }

        /// <summary>
        /// An image on a web host, read in order: first a small window by Range, then, only if the header lies
        /// further on (a large EXIF block) or the size is not stated, the rest from where the window ended.
        /// Every hop of a redirect must be http or https; every wait is bounded.
        /// </summary>
        private sealed class HttpImage : IImageBytes, IDisposable
        {
            private readonly HttpClient _client;
            private readonly Uri _uri;
            private readonly TimeSpan _limit;
            private HttpResponseMessage? _response;
            private WatchedBody? _body;
            private EntityTagHeaderValue? _etag;
            private bool _ranged;
            private bool _ended;

            public HttpImage(HttpClient client, Uri uri, TimeSpan limit)
            {
                _client = client;
                _uri = uri;
                _limit = limit;
            }

            /// <summary>The image's size when the host stated it (Content-Range total, or the length of a whole body).</summary>
            public long? Total { get; private set; }
            public long Position { get; private set; }

            /// <returns>Why the image cannot be fetched, or null.</returns>
            public async Task<string?> OpenAsync(CancellationToken cancel)
            {
                _response = await Get(r => ContentHttp.AskForRange(r, 0, FirstWindow - 1, null), cancel).ConfigureAwait(false);
                var status = (int)_response.StatusCode;
                if (status != 200 && status != 206)
                    return $"{_uri.Host} answered HTTP {status} for the image; the service needs a URL it can fetch without signing in.";
                _ranged = status == 206;
                _etag = _response.Headers.ETag;
                Total = _ranged ? _response.Content.Headers.ContentRange?.Length : _response.Content.Headers.ContentLength;
                _body = new WatchedBody(await _response.Content.ReadAsStreamAsync().ConfigureAwait(false), _uri, _limit, cancel);
                return null;
            }

            public async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancel)
            {
                while (!_ended)
                {
                    var read = await _body!.ReadAsync(buffer, offset, count).ConfigureAwait(false);
                    if (read > 0)
                    {
                        Position += read;
                        return read;
                    }
                    if (!_ranged || Position == Total || !await ContinueAsync(cancel).ConfigureAwait(false)) _ended = true;
                }
                return 0;
            }

            /// <summary>Reads to the end, or one byte past <paramref name="limit"/>, and says how far it got.</summary>
            public async Task<long> MeasureAsync(long limit, CancellationToken cancel)
            {
                var scratch = System.Buffers.ArrayPool<byte>.Shared.Rent(16384);
                try
                {
                    while (Position <= limit && await ReadAsync(scratch, 0, scratch.Length, cancel).ConfigureAwait(false) > 0) { }
                    return Position;
                }
                finally
                {
                    System.Buffers.ArrayPool<byte>.Shared.Return(scratch);
                }
            }

            // The window ended; ask for the rest. A host that answers the rest with the whole file starts over.
            private async Task<bool> ContinueAsync(CancellationToken cancel)
            {
                Close();
                var from = Position;
                _response = await Get(r => ContentHttp.AskForRange(r, from, null, _etag), cancel).ConfigureAwait(false);
                var status = (int)_response.StatusCode;
                if (status == 416) return false;
                if (status == 206 && _response.Content.Headers.ContentRange?.From == from)
                {
                    Total ??= _response.Content.Headers.ContentRange?.Length;
                    _body = new WatchedBody(await _response.Content.ReadAsStreamAsync().ConfigureAwait(false), _uri, _limit, cancel);
                    return true;
                }
                throw new DreaminaException(ErrorIds.ImageUnreachable, ErrorCategory.ResourceUnavailable,
                    $"{_uri.Host} did not send the rest of the image from byte {from:N0} (HTTP {status}); it may have changed while being read.");
            }

            private Task<HttpResponseMessage> Get(Action<HttpRequestMessage> prepare, CancellationToken cancel)
                => ContentHttp.GetAsync(_client, _uri, Refuse, prepare, _limit, cancel);

            private static DreaminaException? Refuse(Uri hop) => ContentHttp.IsWebScheme(hop) ? null
                : new DreaminaException(ErrorIds.ImageUnreachable, ErrorCategory.SecurityError,
                    $"The image's host redirected to a {hop.Scheme}: address, which neither this module nor the service will follow. Give a URL that leads to the image over https.");

            private void Close()
            {
                _body?.Dispose();
                _response?.Dispose();
                _body = null;
                _response = null;
            }

            public void Dispose() => Close();
        }
    }
}
