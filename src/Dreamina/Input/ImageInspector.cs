using System;
using System.Linq;
using System.IO;
using System.Management.Automation;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Dreamina.Download;

namespace Dreamina.Input
{
    /// <summary>Checks an image against the model's rules, reading only the bytes the header needs.</summary>
    internal sealed class ImageInspector
    {
        /// <summary>Enough for any PNG header and for a JPEG's frame header after a large EXIF block.</summary>
        private const int HeaderWindow = 256 * 1024;
        private readonly HttpClient _content;

        public ImageInspector(HttpClient content) => _content = content;

        public async Task<DreaminaImageReport> InspectUriAsync(Uri uri, CancellationToken cancel)
        {
            HttpResponseMessage response;
            try
            {
                response = await ContentHttp.GetAsync(_content, uri, _ => null, r => ContentHttp.AskForRange(r, 0, HeaderWindow - 1, null), cancel).ConfigureAwait(false);
            }
            catch (HttpRequestException e)
            {
                return Unreachable(uri.AbsoluteUri, $"The image could not be fetched from {uri.Host}: {e.GetBaseException().Message}. The service could not fetch it either.");
            }
            using (response)
            {
                if (!response.IsSuccessStatusCode)
                    return Unreachable(uri.AbsoluteUri, $"{uri.Host} answered HTTP {(int)response.StatusCode} for the image; the service needs a URL it can fetch without signing in.");
                var total = response.Content.Headers.ContentRange?.Length ?? response.Content.Headers.ContentLength;
                using var stream = await response.Content.ReadAsStreamAsync().ConfigureAwait(false);
                // Without a stated size, read on (up to the limit) just to measure it.
                var limit = total is null ? (int)ImageRules.MaxFileBytes : HeaderWindow;
                var read = await ReadUpToAsync(stream, limit, cancel).ConfigureAwait(false);
                var size = total ?? (read.Ended ? read.Counted : ImageRules.MaxFileBytes);
                return Report(uri.AbsoluteUri, read.Data, read.Kept, complete: read.Ended && read.Kept == read.Counted, size);
            }
        }

        public async Task<DreaminaImageReport> InspectFileAsync(string path, CancellationToken cancel)
        {
            if (!File.Exists(path)) return Unreachable(path, $"There is no file '{path}'.");
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 4096, useAsync: true);
            var read = await ReadUpToAsync(stream, HeaderWindow, cancel).ConfigureAwait(false);
            return Report(path, read.Data, read.Kept, read.Ended, stream.Length);
        }

        /// <summary>The report as an error to stop a submission: the first problem's id, every problem's message.</summary>
        public static DreaminaException Rejection(DreaminaImageReport report)
            => new DreaminaException(report.Problems[0].ErrorId, report.Problems[0].ErrorId == ErrorIds.ImageUnreachable ? ErrorCategory.ResourceUnavailable : ErrorCategory.InvalidData,
                $"Image {report.Source} would be rejected by the service, so nothing was submitted: {string.Join(" ", report.Problems.Select(p => p.Message))}");

        private static DreaminaImageReport Report(string source, byte[] data, int length, bool complete, long? size)
        {
            var header = ImageHeader.Read(data, length, complete);
            if (header.NeedsMoreData) header = ImageHeader.Read(data, length, complete: true);
            var problems = ImageRules.Check(header, size);
            return new DreaminaImageReport(source, header.Format == ImageFormat.Unknown ? null : header.Format.ToString().ToUpperInvariant(),
                header.Problem is null ? header.Width : null, header.Problem is null ? header.Height : null, size, problems);
        }

        private static DreaminaImageReport Unreachable(string source, string message)
            => new DreaminaImageReport(source, null, null, null, null, new[] { new DreaminaImageProblem(ErrorIds.ImageUnreachable, message) });

        /// <summary>Keeps the first bytes (at most the header window) and counts up to <paramref name="limit"/>.</summary>
        private static async Task<(byte[] Data, int Kept, long Counted, bool Ended)> ReadUpToAsync(Stream stream, int limit, CancellationToken cancel)
        {
            var data = new byte[Math.Min(limit, HeaderWindow)];
            var kept = 0;
            long counted = 0;
            var scratch = new byte[16384];
            while (counted < limit)
            {
                var read = await stream.ReadAsync(scratch, 0, scratch.Length, cancel).ConfigureAwait(false);
                if (read == 0) return (data, kept, counted, true);
                var keep = Math.Min(read, data.Length - kept);
                Array.Copy(scratch, 0, data, kept, keep);
                kept += keep;
                counted += read;
            }
            return (data, kept, counted, false);
        }
    }
}
