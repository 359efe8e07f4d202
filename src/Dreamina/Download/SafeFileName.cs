using System;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Text;

namespace Dreamina.Download
{
    /// <summary>File names built from untrusted text (request ids, URLs) that cannot leave the chosen folder on any OS.</summary>
    internal static class SafeFileName
    {
        private const int MaxLength = 120;
        private static readonly string[] VideoExtensions = { ".mp4", ".mov", ".webm", ".mkv" };
        private static readonly string[] WindowsDeviceNames =
            { "CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9" };

        /// <summary>&lt;request id&gt;.mp4, or &lt;request id&gt;-2.mp4 and so on when a job made several videos.</summary>
        public static string ForVideo(string requestId, Uri video, int index, int count)
            => Sanitize(requestId) + (count > 1 ? "-" + (index + 1) : "") + ExtensionOf(video);

        /// <summary>Letters, digits, dot, dash and underscore only; no leading dots, no device names, never empty.</summary>
        public static string Sanitize(string text)
        {
            var safe = new StringBuilder(Math.Min(text.Length, MaxLength));
            foreach (var c in text.Take(MaxLength)) safe.Append(c < 128 && (char.IsLetterOrDigit(c) || c == '-' || c == '_' || c == '.') ? c : '_');
            var name = safe.ToString().Trim('.');
            if (name.Length == 0) return "video";
            var stem = name.Split('.')[0];
            return WindowsDeviceNames.Contains(stem, StringComparer.OrdinalIgnoreCase) ? "_" + name : name;
        }

        /// <summary>
        /// A name the user chose (Save-DreaminaVideo -FileName): kept as it is but for what a file system refuses
        /// (path separators, Windows' reserved characters, control characters, trailing dots and spaces, device
        /// names), with .mp4 added when it has no extension.
        /// </summary>
        public static string FromUser(string text)
        {
            var refused = Path.GetInvalidFileNameChars().Concat(new[] { '<', '>', ':', '"', '/', '\\', '|', '?', '*' }).ToArray();
            var name = new string(text.Trim().Select(c => c < ' ' || refused.Contains(c) ? '_' : c).Take(MaxLength).ToArray()).TrimEnd('.', ' ').TrimStart('.');
            if (name.Length == 0)
                throw new DreaminaException(ErrorIds.FileNameInvalid, ErrorCategory.InvalidResult, $"The -FileName script block returned '{text}', which leaves no file name. Return a name such as 'take-1.mp4'.");
            if (Path.GetExtension(name).Length == 0) name += ".mp4";
            var stem = name.Split('.')[0];
            return WindowsDeviceNames.Contains(stem, StringComparer.OrdinalIgnoreCase) ? "_" + name : name;
        }

        /// <summary>The full path of <paramref name="fileName"/> in <paramref name="directory"/>, refusing anything that resolves outside it.</summary>
        public static string Within(string directory, string fileName)
        {
            var root = Path.GetFullPath(directory).TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar) + Path.DirectorySeparatorChar;
            var full = Path.GetFullPath(Path.Combine(root, fileName));
            if (!full.StartsWith(root, StringComparison.Ordinal) || full.Length == root.Length)
                throw new DreaminaException(ErrorIds.DownloadHostRefused, ErrorCategory.SecurityError, $"The file name '{fileName}' would leave the folder {root}; it was refused.");
            return full;
        }

        private static string ExtensionOf(Uri video)
        {
            var extension = Path.GetExtension(video.AbsolutePath).ToLowerInvariant();
            return VideoExtensions.Contains(extension) ? extension : ".mp4";
        }
    }
}
