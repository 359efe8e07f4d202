using System;

namespace Dreamina.Emulator;

/// <summary>An image sent in the request as a data URI (<c>data:image/png;base64,...</c>), decoded as the service decodes it.</summary>
internal sealed class InlineImage
{
    private InlineImage(string contentType, byte[]? bytes, string? problem)
    {
        ContentType = contentType;
        Bytes = bytes;
        Problem = problem;
    }

    public string ContentType { get; }
    public byte[]? Bytes { get; }
    /// <summary>Why it cannot be read, in the service's words, when it cannot.</summary>
    public string? Problem { get; }

    public static InlineImage Decode(string dataUri)
    {
        var comma = dataUri.IndexOf(',');
        var header = comma < 0 ? dataUri : dataUri[..comma];
        var contentType = header["data:".Length..].Split(';')[0];
        if (comma < 0 || !header.EndsWith(";base64", StringComparison.OrdinalIgnoreCase))
            return new InlineImage(contentType, null, "The data URI must be base64: data:image/png;base64,....");
        if (contentType is not ("image/png" or "image/jpeg")) return new InlineImage(contentType, null, "Upload JPEG or PNG only.");
        try
        {
            return new InlineImage(contentType, Convert.FromBase64String(dataUri[(comma + 1)..]), null);
        }
        catch (FormatException)
        {
            return new InlineImage(contentType, null, "The data URI's base64 could not be decoded.");
        }
    }
}
