using System;
using System.Buffers;
using System.Threading;
using System.Threading.Tasks;

namespace Dreamina.Input
{
    internal enum ImageFormat { Unknown, Png, Jpeg }

    /// <summary>Bytes read in order from the start of an image: a file, or one or more HTTP responses.</summary>
    internal interface IImageBytes
    {
        /// <summary>Up to <paramref name="count"/> bytes; 0 at the end of the image.</summary>
        Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancel);
    }

    /// <summary>What the first bytes of an image say: format and pixel size, or why they cannot be trusted.</summary>
    internal sealed class ImageHeader
    {
        private static readonly byte[] PngSignature = { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A };

        private ImageHeader(ImageFormat format, int width, int height, string? problem)
        {
            Format = format;
            Width = width;
            Height = height;
            Problem = problem;
        }

        public ImageFormat Format { get; }
        public int Width { get; }
        public int Height { get; }
        /// <summary>Why the header is unusable (truncated, lying); null when width and height were read.</summary>
        public string? Problem { get; }

        /// <summary>
        /// Reads as far as the size: 24 bytes of a PNG; for a JPEG, marker segment after segment (skipping the
        /// bodies of EXIF, XMP and other blocks, however large) to its frame header, but never past
        /// <paramref name="scanLimit"/> bytes (a larger file is refused anyway).
        /// </summary>
        public static async Task<(ImageHeader Header, long Consumed)> ReadAsync(IImageBytes image, long scanLimit, CancellationToken cancel)
        {
            var reader = new Reader(image);
            try
            {
                var start = await reader.FillAsync(PngSignature.Length, cancel).ConfigureAwait(false);
                ImageHeader header;
                if (start >= PngSignature.Length && reader.StartsWith(PngSignature)) header = await ReadPngAsync(reader, cancel).ConfigureAwait(false);
                else if (start >= 3 && reader[0] == 0xFF && reader[1] == 0xD8 && reader[2] == 0xFF) header = await ReadJpegAsync(reader, scanLimit, cancel).ConfigureAwait(false);
                else header = new ImageHeader(ImageFormat.Unknown, 0, 0, "it is neither JPEG nor PNG (by its content, whatever its name says)");
                return (header, reader.Consumed);
            }
            finally
            {
                reader.Release();
            }
        }

        private static async Task<ImageHeader> ReadPngAsync(Reader reader, CancellationToken cancel)
        {
            if (await reader.FillAsync(24, cancel).ConfigureAwait(false) < 24) return Broken(ImageFormat.Png, "the PNG ends inside its header (truncated)");
            if (reader.BigEndian32(8) != 13 || reader[12] != (byte)'I' || reader[13] != (byte)'H' || reader[14] != (byte)'D' || reader[15] != (byte)'R')
                return Broken(ImageFormat.Png, "the PNG's first chunk is not a valid IHDR");
            var width = reader.BigEndian32(16);
            var height = reader.BigEndian32(20);
            if (width == 0 || height == 0 || width > int.MaxValue || height > int.MaxValue)
                return Broken(ImageFormat.Png, $"the PNG header claims an impossible size {width}x{height}");
            return new ImageHeader(ImageFormat.Png, (int)width, (int)height, null);
        }

        // Walks the JPEG's marker segments to the first start-of-frame, which holds the size.
        private static async Task<ImageHeader> ReadJpegAsync(Reader reader, long scanLimit, CancellationToken cancel)
        {
            reader.Discard(2); // SOI
            while (true)
            {
                if (reader.Consumed > scanLimit) return Broken(ImageFormat.Jpeg, $"the JPEG has no frame header within its first {scanLimit:N0} bytes");
                if (await reader.FillAsync(2, cancel).ConfigureAwait(false) < 2) return Broken(ImageFormat.Jpeg, "the JPEG ends before its frame header (truncated)");
                if (reader[0] != 0xFF) return Broken(ImageFormat.Jpeg, $"the JPEG's marker structure is broken at byte {reader.Consumed}");
                if (reader[1] == 0xFF)
                {
                    reader.Discard(1); // a fill byte
                    continue;
                }
                var marker = reader[1];
                if (marker == 0xD9 || marker == 0xDA) return Broken(ImageFormat.Jpeg, "the JPEG has no frame header before its image data");
                if (await reader.FillAsync(4, cancel).ConfigureAwait(false) < 4) return Broken(ImageFormat.Jpeg, "the JPEG ends before its frame header (truncated)");
                var segment = (reader[2] << 8) | reader[3];
                if (segment < 2) return Broken(ImageFormat.Jpeg, $"the JPEG has a segment of impossible length {segment}");
                var isFrame = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
                if (isFrame)
                {
                    if (await reader.FillAsync(9, cancel).ConfigureAwait(false) < 9) return Broken(ImageFormat.Jpeg, "the JPEG ends inside its frame header (truncated)");
                    var height = (reader[5] << 8) | reader[6];
                    var width = (reader[7] << 8) | reader[8];
                    if (width == 0 || height == 0) return Broken(ImageFormat.Jpeg, $"the JPEG frame header claims an impossible size {width}x{height}");
                    return new ImageHeader(ImageFormat.Jpeg, width, height, null);
                }
                if (!await reader.SkipAsync(2 + segment, cancel).ConfigureAwait(false)) return Broken(ImageFormat.Jpeg, "the JPEG ends before its frame header (truncated)");
            }
        }

        private static ImageHeader Broken(ImageFormat format, string problem) => new ImageHeader(format, 0, 0, problem);

        /// <summary>A small window over the bytes: filled on demand, discarded as the parser moves on.</summary>
        private sealed class Reader
        {
            private readonly IImageBytes _image;
            private readonly byte[] _window = new byte[64];
            private byte[]? _skip;
            private int _count;

            public Reader(IImageBytes image) => _image = image;

            /// <summary>Bytes consumed from the image, up to the start of the window.</summary>
            public long Consumed { get; private set; }

            public byte this[int index] => _window[index];

            public bool StartsWith(byte[] prefix)
            {
                for (var i = 0; i < prefix.Length; i++) if (_window[i] != prefix[i]) return false;
                return true;
            }

            public uint BigEndian32(int at) => (uint)(_window[at] << 24 | _window[at + 1] << 16 | _window[at + 2] << 8 | _window[at + 3]);

            /// <summary>Makes the window hold at least <paramref name="wanted"/> bytes if the image has them; returns how many it holds.</summary>
            public async Task<int> FillAsync(int wanted, CancellationToken cancel)
            {
                while (_count < wanted)
                {
                    var read = await _image.ReadAsync(_window, _count, _window.Length - _count, cancel).ConfigureAwait(false);
                    if (read == 0) break;
                    _count += read;
                }
                return _count;
            }

            public void Discard(int bytes)
            {
                Buffer.BlockCopy(_window, bytes, _window, 0, _count - bytes);
                _count -= bytes;
                Consumed += bytes;
            }

            /// <summary>Moves past <paramref name="bytes"/> bytes, reading and forgetting what the window does not hold; false at the end of the image.</summary>
            public async Task<bool> SkipAsync(long bytes, CancellationToken cancel)
            {
                var fromWindow = (int)Math.Min(bytes, _count);
                Discard(fromWindow);
                bytes -= fromWindow;
                _skip ??= ArrayPool<byte>.Shared.Rent(16384);
                while (bytes > 0)
                {
                    var read = await _image.ReadAsync(_skip, 0, (int)Math.Min(_skip.Length, bytes), cancel).ConfigureAwait(false);
                    if (read == 0) return false;
                    bytes -= read;
                    Consumed += read;
                }
                return true;
            }

            public void Release()
            {
                if (_skip is not null) ArrayPool<byte>.Shared.Return(_skip);
                _skip = null;
            }
        }
    }
}
