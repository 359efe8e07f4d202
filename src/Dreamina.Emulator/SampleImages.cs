using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Text;

namespace Dreamina.Emulator;

/// <summary>Images the emulator serves so tests and the demo have URLs to use: valid ones and one per broken rule.</summary>
public static class SampleImages
{
    public static readonly IReadOnlyDictionary<string, Func<byte[]>> All = new Dictionary<string, Func<byte[]>>(StringComparer.OrdinalIgnoreCase)
    {
        ["street.png"] = () => Png(1280, 720),
        ["street.jpg"] = () => JpegHeader(1920, 1080),
        ["portrait.png"] = () => Png(768, 1024),
        ["portrait.jpg"] = () => JpegHeader(768, 1024),
        ["square.png"] = () => Png(512, 512),
        ["too-small.png"] = () => Png(320, 480),
        ["too-large.png"] = () => Png(4097, 2000),
        ["too-wide.png"] = () => Png(1500, 500),
        ["too-heavy.png"] = () => Png(1024, 768, paddingBytes: 4_800_000),
        ["not-an-image.png"] = () => Encoding.ASCII.GetBytes("GIF89a this is a GIF header, not PNG or JPEG"),
        ["big-exif.jpg"] = () => JpegHeader(1920, 1080, exifBytes: 300_000),
    };

    /// <summary>
    /// The bytes of a sample by name: one of <see cref="All"/>, or <c>distinct-N.jpg</c>, a valid 1920x1080 JPEG
    /// header whose content differs for each N (so that no two jobs of a benchmark share an image).
    /// </summary>
    public static byte[]? Named(string name)
    {
        if (All.TryGetValue(name, out var make)) return make();
        var match = System.Text.RegularExpressions.Regex.Match(name, @"^distinct-(\d{1,9})\.jpg$");
        if (!match.Success) return null;
        var comment = Encoding.ASCII.GetBytes("image " + match.Groups[1].Value);
        var header = JpegHeader(1920, 1080);
        byte[] segment = [0xFF, 0xFE, (byte)((comment.Length + 2) >> 8), (byte)(comment.Length + 2), .. comment];
        return [.. header[..2], .. segment, .. header[2..]];
    }

    /// <summary>A valid PNG of one flat colour, optionally padded with a private ancillary chunk.</summary>
    /// <param name="fill">The padding's bytes: images of the same size but different content.</param>
    public static byte[] Png(int width, int height, int paddingBytes = 0, byte fill = 0)
    {
        using var png = new MemoryStream();
        png.Write(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A });
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = 8; // bit depth
        header[9] = 0; // greyscale
        WriteChunk(png, "IHDR", header);
        if (paddingBytes > 0)
        {
            var padding = new byte[paddingBytes];
            Array.Fill(padding, fill);
            WriteChunk(png, "prVt", padding);
        }
        using (var pixels = new MemoryStream())
        {
            using (var zlib = new ZLibStream(pixels, CompressionLevel.SmallestSize, leaveOpen: true))
            {
                var row = new byte[width + 1];
                Array.Fill(row, (byte)0x80, 1, width);
                for (var y = 0; y < height; y++) zlib.Write(row);
            }
            WriteChunk(png, "IDAT", pixels.ToArray());
        }
        WriteChunk(png, "IEND", Array.Empty<byte>());
        return png.ToArray();
    }

    /// <summary>The markers of a baseline JPEG (SOI, JFIF, SOF0, EOI): enough for any header check.</summary>
    /// <param name="exifBytes">The size of an APP1 (EXIF) block before the frame header, as phones and editors write them.</param>
    public static byte[] JpegHeader(int width, int height, int exifBytes = 0)
    {
        var sof = new byte[] { 0xFF, 0xC0, 0x00, 0x11, 0x08, 0, 0, 0, 0, 0x03, 0x01, 0x22, 0x00, 0x02, 0x11, 0x01, 0x03, 0x11, 0x01 };
        BinaryPrimitives.WriteUInt16BigEndian(sof.AsSpan(5), (ushort)height);
        BinaryPrimitives.WriteUInt16BigEndian(sof.AsSpan(7), (ushort)width);
        var jfif = new byte[] { 0xFF, 0xE0, 0x00, 0x10, (byte)'J', (byte)'F', (byte)'I', (byte)'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0 };
        var exif = new List<byte>();
        for (var left = exifBytes; left > 0; left -= 65533)
        {
            var segment = Math.Min(left, 65533);
            exif.AddRange(new byte[] { 0xFF, 0xE1, (byte)((segment + 2) >> 8), (byte)(segment + 2) });
            exif.AddRange(new byte[segment]);
        }
        return [0xFF, 0xD8, .. jfif, .. exif, .. sof, 0xFF, 0xD9];
    }

    private static void WriteChunk(Stream png, string type, byte[] data)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
        png.Write(word);
        var typeBytes = Encoding.ASCII.GetBytes(type);
        png.Write(typeBytes);
        png.Write(data);
        BinaryPrimitives.WriteUInt32BigEndian(word, Crc32(Crc32(0xFFFFFFFF, typeBytes), data) ^ 0xFFFFFFFF);
        png.Write(word);
    }

    // PNG's chunk checksum (ISO 3309 CRC-32), continued over several buffers.
    private static uint Crc32(uint crc, byte[] bytes)
    {
        foreach (var b in bytes)
        {
            crc ^= b;
            for (var bit = 0; bit < 8; bit++) crc = (crc & 1) != 0 ? 0xEDB88320 ^ (crc >> 1) : crc >> 1;
        }
        return crc;
    }
}
