using System;
using System.Buffers;
using System.IO;
using System.Security.Cryptography;
using System.Threading;
using System.Threading.Tasks;
using Dreamina.Input;

namespace Dreamina.Upload
{
    /// <summary>Turns a path into a <see cref="LocalImage"/>: checked by its content against the model's rules, then hashed.</summary>
    internal static class LocalImages
    {
        /// <exception cref="DreaminaException">The file breaks a rule or cannot be read: nothing is uploaded.</exception>
        public static async Task<LocalImage> PrepareAsync(string path, ImageInspector inspector, CancellationToken cancel)
        {
            var report = await inspector.InspectFileAsync(path, cancel).ConfigureAwait(false);
            if (!report.IsValid) throw ImageInspector.Rejection(report);
            try
            {
                var (sha256, md5) = await HashAsync(path, cancel).ConfigureAwait(false);
                return new LocalImage(path, report.Format!, report.SizeBytes!.Value, sha256, md5);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw ImageInspector.Rejection(ImageInspector.Problem(path, ErrorIds.ImageFileUnreadable,
                    $"The file '{path}' cannot be read: {e.Message.TrimEnd('.')}."));
            }
        }

        /// <summary>The SHA-256 of a file's content (lower-case hex), or null when it cannot be read.</summary>
        public static string? Sha256Of(string path)
        {
            try
            {
                using var sha = SHA256.Create();
                using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 81920);
                return Hex(sha.ComputeHash(stream));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return null;
            }
        }

        internal static string Hex(byte[] bytes) => BitConverter.ToString(bytes).Replace("-", "").ToLowerInvariant();

        // Both hashes in one pass: SHA-256 names the blob, MD5 lets the store verify what it received.
        private static async Task<(string Sha256, byte[] Md5)> HashAsync(string path, CancellationToken cancel)
        {
            using var sha = SHA256.Create();
            using var md5 = MD5.Create();
            var buffer = ArrayPool<byte>.Shared.Rent(81920);
            try
            {
                using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 4096, useAsync: true);
                int read;
                while ((read = await stream.ReadAsync(buffer, 0, buffer.Length, cancel).ConfigureAwait(false)) > 0)
                {
                    sha.TransformBlock(buffer, 0, read, null, 0);
                    md5.TransformBlock(buffer, 0, read, null, 0);
                }
                sha.TransformFinalBlock(Array.Empty<byte>(), 0, 0);
                md5.TransformFinalBlock(Array.Empty<byte>(), 0, 0);
                return (Hex(sha.Hash!), md5.Hash!);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }
}
