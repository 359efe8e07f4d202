using System;
using System.Buffers.Binary;

namespace Dreamina.Emulator;

/// <summary>The emulator's own reading of an image's format and size, independent of the module's, so each checks the other.</summary>
internal static class ImageProbe
{
    public const long MaxBytes = 4_700_000;

    public static (string? Format, int Width, int Height) Read(ReadOnlySpan<byte> data)
    {
        if (data.Length >= 24 && data[..8].SequenceEqual(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A })
            && data.Slice(12, 4).SequenceEqual("IHDR"u8))
        {
            return ("png", (int)BinaryPrimitives.ReadUInt32BigEndian(data.Slice(16, 4)), (int)BinaryPrimitives.ReadUInt32BigEndian(data.Slice(20, 4)));
        }
        if (data.Length >= 4 && data[0] == 0xFF && data[1] == 0xD8)
        {
            var at = 2;
            while (at + 4 <= data.Length && data[at] == 0xFF)
            {
                var marker = data[at + 1];
                var length = BinaryPrimitives.ReadUInt16BigEndian(data.Slice(at + 2, 2));
                var isFrameHeader = marker is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC;
                if (isFrameHeader && at + 9 <= data.Length)
                {
                    return ("jpeg", BinaryPrimitives.ReadUInt16BigEndian(data.Slice(at + 7, 2)), BinaryPrimitives.ReadUInt16BigEndian(data.Slice(at + 5, 2)));
                }
                at += 2 + length;
            }
            return ("jpeg", 0, 0);
        }
        return (null, 0, 0);
    }

    /// <summary>The first rule of the schema the image breaks, in the service's words, or null.</summary>
    public static string? Violation(ReadOnlySpan<byte> data, long size, decimal maxMegabytes = 4.7m)
    {
        var (format, width, height) = Read(data);
        if (format is null) return "Upload JPEG or PNG only.";
        if (size >= maxMegabytes * 1_000_000m) return $"File size must be less than {maxMegabytes.ToString(System.Globalization.CultureInfo.InvariantCulture)} MB.";
        if (width == 0 || height == 0) return "The image header could not be read.";
        if (width > 4096 || height > 4096) return "Maximum resolution is 4096x4096.";
        if (width <= 320 || height <= 320) return "The shortest side must be at least 320 pixels.";
        if ((double)Math.Max(width, height) / Math.Min(width, height) >= 3) return "The ratio of long side to short side must be within 3:1.";
        return null;
    }
}
