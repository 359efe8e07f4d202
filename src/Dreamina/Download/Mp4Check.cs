using System;
using System.IO;
using System.Text;

namespace Dreamina.Download
{
    /// <summary>
    /// Whether a file is a whole MP4 (ISO base media file): it opens with an 'ftyp' box, and its top-level boxes,
    /// each stating its own size, tile the file exactly. An HTML page, a JSON error or a body cut short fails.
    /// </summary>
    internal static class Mp4Check
    {
        /// <summary>Why the first bytes of a download cannot start an MP4, or null when they can.</summary>
        public static string? StartProblem(byte[] head, int length)
        {
            if (length < 8) return null;
            var type = Encoding.ASCII.GetString(head, 4, 4);
            if (type == "ftyp") return null;
            var text = Encoding.ASCII.GetString(head, 0, Math.Min(length, 16));
            var printable = new StringBuilder();
            foreach (var c in text) printable.Append(c >= ' ' && c < 127 ? c : '.');
            return $"it does not start like an MP4 video (it starts with '{printable}')";
        }

        /// <summary>Why the file is not a whole MP4, or null when its boxes account for every byte.</summary>
        public static string? Problem(string path)
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 16);
            var header = new byte[16];
            long at = 0;
            var length = file.Length;
            while (at < length)
            {
                file.Seek(at, SeekOrigin.Begin);
                var read = ReadFully(file, header, 8);
                if (read < 8) return $"it ends inside a box header at byte {at:N0} (the download is incomplete)";
                if (at == 0 && StartProblem(header, read) is { } start) return start;
                long size = (uint)(header[0] << 24 | header[1] << 16 | header[2] << 8 | header[3]);
                if (size == 1)
                {
                    if (ReadFully(file, header, 8, 8) < 8) return $"it ends inside a box header at byte {at:N0} (the download is incomplete)";
                    size = 0;
                    for (var i = 8; i < 16; i++) size = (size << 8) | header[i];
                    if (size < 16) return $"it has a box of impossible size {size} at byte {at:N0}";
                }
                else if (size == 0)
                {
                    return null; // the last box runs to the end of the file
                }
                else if (size < 8)
                {
                    return $"it has a box of impossible size {size} at byte {at:N0}";
                }
                if (at + size > length) return $"its last box needs {at + size:N0} bytes but the file has {length:N0} (the download is incomplete)";
                at += size;
            }
            return length == 0 ? "it is empty" : null;
        }

        private static int ReadFully(Stream stream, byte[] buffer, int count, int offset = 0)
        {
            var total = 0;
            int read;
            while (total < count && (read = stream.Read(buffer, offset + total, count - total)) > 0) total += read;
            return total;
        }
    }
}
