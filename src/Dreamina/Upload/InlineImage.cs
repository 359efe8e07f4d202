using System;
using System.IO;
using System.Management.Automation;
using System.Security.Cryptography;
using System.Threading;
using System.Threading.Tasks;

namespace Dreamina.Upload
{
    /// <summary>
    /// A local image sent in the request itself, as RunComfy's own ComfyUI client sends media: a data URI with its
    /// real content type, which the service stores as a hosted input. Nothing the module keeps or shows holds it.
    /// </summary>
    internal static class InlineImage
    {
        /// <summary>The most one request may carry, as RunComfy's own client caps it.</summary>
        public const long MaxRequestBytes = 64L * 1024 * 1024;

        /// <summary>Room left for the rest of the body (prompt, seed, frames, field names).</summary>
        private const long RestOfBody = 64 * 1024;

        /// <exception cref="DreaminaException">The file changed since it was checked, or would not fit in one request.</exception>
        public static async Task<string> DataUriAsync(LocalImage image, CancellationToken cancel)
        {
            var encodedLength = 4 * ((image.Length + 2) / 3);
            if (encodedLength + RestOfBody > MaxRequestBytes)
                throw new DreaminaException(ErrorIds.ImageFileTooLarge, ErrorCategory.LimitsExceeded,
                    $"{image.Path} ({image.Length:N0} bytes) is too large to send inline (a request carries at most {MaxRequestBytes / (1024 * 1024)} MiB); nothing was submitted for it. " +
                    "Host it instead: Connect-Dreamina -ImageStore or -ImageUploader.");
            byte[] bytes;
            try
            {
                bytes = await ReadAllAsync(image.Path, cancel).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new DreaminaException(ErrorIds.ImageFileUnreadable, ErrorCategory.ReadError, $"The file '{image.Path}' cannot be read: {e.Message.TrimEnd('.')}. Nothing was submitted for it.", e);
            }
            // What was checked and hashed is what is sent, or nothing is.
            using (var sha = SHA256.Create())
            {
                if (bytes.Length != image.Length || !string.Equals(LocalImages.Hex(sha.ComputeHash(bytes)), image.Sha256, StringComparison.Ordinal))
                    throw new DreaminaException(ErrorIds.ImageFileUnreadable, ErrorCategory.ReadError,
                        $"{image.Path} changed after it was checked; nothing was submitted for it. Run the command again once the file is complete.");
            }
            return $"data:{image.ContentType};base64,{Convert.ToBase64String(bytes)}";
        }

        private static async Task<byte[]> ReadAllAsync(string path, CancellationToken cancel)
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, useAsync: true);
            var bytes = new byte[stream.Length];
            var read = 0;
            while (read < bytes.Length)
            {
                var n = await stream.ReadAsync(bytes, read, bytes.Length - read, cancel).ConfigureAwait(false);
                if (n == 0) break;
                read += n;
            }
            return read == bytes.Length ? bytes : bytes.AsSpan(0, read).ToArray();
        }
    }
}
