using System;

namespace Dreamina.Input
{
    internal enum ImageFormat { Unknown, Png, Jpeg }

    /// <summary>What the first bytes of a file say: format and pixel size, or why they cannot be trusted.</summary>
    internal sealed class ImageHeader
    {
        private static readonly byte[] PngSignature = { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A };

        private ImageHeader(ImageFormat format, int width, int height, string? problem, bool needsMoreData)
        {
            Format = format;
            Width = width;
            Height = height;
            Problem = problem;
            NeedsMoreData = needsMoreData;
        }

        public ImageFormat Format { get; }
        public int Width { get; }
        public int Height { get; }
        /// <summary>Why the header is unusable (truncated, lying); null when width and height were read.</summary>
        public string? Problem { get; }
        /// <summary>The bytes end before the size was found; more may tell.</summary>
        public bool NeedsMoreData { get; }

        /// <param name="complete">True when <paramref name="data"/> is the whole file, so running out of bytes means truncation.</param>
        public static ImageHeader Read(byte[] data, int length, bool complete)
        {
            if (StartsWith(data, length, PngSignature)) return ReadPng(data, length, complete);
            if (length >= 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF) return ReadJpeg(data, length, complete);
            if (length < PngSignature.Length && !complete) return More(ImageFormat.Unknown);
            return new ImageHeader(ImageFormat.Unknown, 0, 0, "it is neither JPEG nor PNG (by its content, whatever its name says)", false);
        }

        private static ImageHeader ReadPng(byte[] data, int length, bool complete)
        {
            if (length < 24) return complete ? Broken(ImageFormat.Png, "the PNG ends inside its header (truncated)") : More(ImageFormat.Png);
            if (BigEndian32(data, 8) != 13 || data[12] != (byte)'I' || data[13] != (byte)'H' || data[14] != (byte)'D' || data[15] != (byte)'R')
                return Broken(ImageFormat.Png, "the PNG's first chunk is not a valid IHDR");
            var width = BigEndian32(data, 16);
            var height = BigEndian32(data, 20);
            if (width == 0 || height == 0 || width > int.MaxValue || height > int.MaxValue)
                return Broken(ImageFormat.Png, $"the PNG header claims an impossible size {width}x{height}");
            return new ImageHeader(ImageFormat.Png, (int)width, (int)height, null, false);
        }

        // Walks the JPEG's marker segments to the first start-of-frame, which holds the size.
        private static ImageHeader ReadJpeg(byte[] data, int length, bool complete)
        {
            var at = 2;
            while (true)
            {
                while (at < length && data[at] == 0xFF && at + 1 < length && data[at + 1] == 0xFF) at++; // fill bytes
                if (at + 2 > length) return complete ? Broken(ImageFormat.Jpeg, "the JPEG ends before its frame header (truncated)") : More(ImageFormat.Jpeg);
                if (data[at] != 0xFF) return Broken(ImageFormat.Jpeg, $"the JPEG's marker structure is broken at byte {at}");
                var marker = data[at + 1];
                if (marker == 0xD9 || marker == 0xDA) return Broken(ImageFormat.Jpeg, "the JPEG has no frame header before its image data");
                if (at + 4 > length) return complete ? Broken(ImageFormat.Jpeg, "the JPEG ends before its frame header (truncated)") : More(ImageFormat.Jpeg);
                var segment = (data[at + 2] << 8) | data[at + 3];
                if (segment < 2) return Broken(ImageFormat.Jpeg, $"the JPEG has a segment of impossible length {segment}");
                var isFrame = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
                if (isFrame)
                {
                    if (at + 9 > length) return complete ? Broken(ImageFormat.Jpeg, "the JPEG ends inside its frame header (truncated)") : More(ImageFormat.Jpeg);
                    var height = (data[at + 5] << 8) | data[at + 6];
                    var width = (data[at + 7] << 8) | data[at + 8];
                    if (width == 0 || height == 0) return Broken(ImageFormat.Jpeg, $"the JPEG frame header claims an impossible size {width}x{height}");
                    return new ImageHeader(ImageFormat.Jpeg, width, height, null, false);
                }
                at += 2 + segment;
            }
        }

        private static ImageHeader More(ImageFormat format) => new ImageHeader(format, 0, 0, null, true);
        private static ImageHeader Broken(ImageFormat format, string problem) => new ImageHeader(format, 0, 0, problem, false);

        private static bool StartsWith(byte[] data, int length, byte[] prefix)
        {
            if (length < prefix.Length) return false;
            for (var i = 0; i < prefix.Length; i++) if (data[i] != prefix[i]) return false;
            return true;
        }

        private static uint BigEndian32(byte[] data, int at) => (uint)(data[at] << 24 | data[at + 1] << 16 | data[at + 2] << 8 | data[at + 3]);
    }
}
