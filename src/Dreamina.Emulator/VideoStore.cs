using System;
using System.Buffers.Binary;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;

namespace Dreamina.Emulator;

/// <summary>
/// Serves every finished job's video: the committed MP4 fixture, padded to the configured size with an
/// MP4 <c>free</c> box (players skip it) that is generated on the fly, so a 512 MB video costs no memory.
/// </summary>
internal sealed class VideoStore
{
    private static readonly byte[] Fixture = LoadFixture();

    /// <summary>The bytes of a video of <paramref name="size"/> bytes, as a download must receive them.</summary>
    public static byte[] Materialize(long size)
    {
        var bytes = new byte[Math.Max(size, Fixture.Length)];
        CopyRange(bytes, 0, bytes.Length, bytes.Length);
        return bytes;
    }

    public static long SizeFor(EmulatorOptions options) => options.VideoSizeBytes <= Fixture.Length + 8 ? Fixture.Length : options.VideoSizeBytes;

    /// <summary>How a download ends early: not at all, by dropping the connection, by falling silent, or cleanly but short.</summary>
    public enum Cut { None, Drop, Stall, EndEarly }

    /// <summary>Answers GET/HEAD with Content-Length, ETag and single-range support; <paramref name="cut"/> ends the body half-way.</summary>
    public static async Task Serve(HttpContext http, long size, Cut cut, CancellationToken cancel)
    {
        var etag = $"\"mp4-{size:x}-{Fixture.Length:x}\"";
        http.Response.Headers.ETag = etag;
        http.Response.Headers.AcceptRanges = "bytes";
        http.Response.ContentType = "video/mp4";
        long start = 0, end = size - 1;
        var range = http.Request.Headers.Range.ToString();
        var ifRange = http.Request.Headers.IfRange.ToString();
        if (range.Length > 0 && (ifRange.Length == 0 || ifRange == etag))
        {
            if (!TryParseRange(range, size, out start, out end))
            {
                http.Response.StatusCode = StatusCodes.Status416RangeNotSatisfiable;
                http.Response.Headers.ContentRange = $"bytes */{size}";
                return;
            }
            http.Response.StatusCode = StatusCodes.Status206PartialContent;
            http.Response.Headers.ContentRange = $"bytes {start}-{end}/{size}";
        }
        var length = end - start + 1;
        // Cut short and ended cleanly: chunked, so no length gives it away.
        if (cut != Cut.EndEarly) http.Response.ContentLength = length;
        if (HttpMethods.IsHead(http.Request.Method)) return;

        var sendUntil = cut == Cut.None ? end + 1 : start + length / 2;
        var buffer = new byte[81920];
        for (var at = start; at < sendUntil;)
        {
            var count = (int)Math.Min(buffer.Length, sendUntil - at);
            CopyRange(buffer, at, count, size);
            await http.Response.Body.WriteAsync(buffer.AsMemory(0, count), cancel);
            at += count;
        }
        if (cut is Cut.Drop or Cut.Stall) await http.Response.Body.FlushAsync(cancel);
        if (cut == Cut.Drop) http.Abort();
        if (cut == Cut.Stall) await RunComfyEmulator.Hang(http);
    }

    // Fills buffer[0..count) with the virtual file's bytes starting at offset.
    private static void CopyRange(byte[] buffer, long offset, int count, long size)
    {
        Array.Clear(buffer, 0, count);
        if (offset < Fixture.Length)
        {
            var fromFixture = (int)Math.Min(count, Fixture.Length - offset);
            Array.Copy(Fixture, offset, buffer, 0, fromFixture);
        }
        // The free box header: 32-bit size then "free", straight after the fixture.
        Span<byte> header = stackalloc byte[8];
        BinaryPrimitives.WriteUInt32BigEndian(header, (uint)Math.Min(uint.MaxValue, size - Fixture.Length));
        "free"u8.CopyTo(header[4..]);
        for (var i = 0; i < 8; i++)
        {
            var at = Fixture.Length + i - offset;
            if (at >= 0 && at < count) buffer[at] = header[i];
        }
    }

    private static bool TryParseRange(string header, long size, out long start, out long end)
    {
        start = 0;
        end = size - 1;
        if (!header.StartsWith("bytes=", StringComparison.OrdinalIgnoreCase) || header.Contains(',')) return false;
        var spec = header[6..].Split('-', 2);
        if (spec.Length != 2) return false;
        if (spec[0].Length == 0)
        {
            if (!long.TryParse(spec[1], out var suffix) || suffix <= 0) return false;
            start = Math.Max(0, size - suffix);
            return true;
        }
        if (!long.TryParse(spec[0], out start) || start >= size) return false;
        if (spec[1].Length > 0 && (!long.TryParse(spec[1], out end) || end < start)) return false;
        end = Math.Min(end, size - 1);
        return true;
    }

    private static byte[] LoadFixture()
    {
        using var resource = typeof(VideoStore).Assembly.GetManifestResourceStream("sample.mp4")
            ?? throw new InvalidOperationException("The MP4 fixture is not embedded.");
        using var copy = new MemoryStream();
        resource.CopyTo(copy);
        return copy.ToArray();
    }
}
