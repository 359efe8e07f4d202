using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace Dreamina
{
    /// <summary>One rule of the model's image requirements that an image breaks.</summary>
    public sealed class DreaminaImageProblem
    {
        public DreaminaImageProblem(string errorId, string message)
        {
            ErrorId = errorId;
            Message = message;
        }

        public string ErrorId { get; }
        public string Message { get; }
        public override string ToString() => Message;
    }

    /// <summary>What Test-DreaminaImage found out about an image, and whether the service would take it.</summary>
    public sealed class DreaminaImageReport
    {
        internal DreaminaImageReport(string source, string? format, int? width, int? height, long? sizeBytes, IReadOnlyList<DreaminaImageProblem> problems)
        {
            Source = source;
            Format = format;
            Width = width;
            Height = height;
            SizeBytes = sizeBytes;
            Problems = problems;
        }

        public string Source { get; }
        /// <summary>What names the image in a table: the file's name, or the last part of the URL's path (no query).</summary>
        public string Name => Uri.TryCreate(Source, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            ? Uri.UnescapeDataString(uri.Segments.LastOrDefault()?.Trim('/') is { Length: > 0 } last ? last : uri.Host)
            : System.IO.Path.GetFileName(Source.TrimEnd('/', '\\')) is { Length: > 0 } file ? file : Source;
        /// <summary>PNG or JPEG, read from the content; null when it is neither.</summary>
        public string? Format { get; }
        public int? Width { get; }
        public int? Height { get; }
        public long? SizeBytes { get; }
        public IReadOnlyList<DreaminaImageProblem> Problems { get; }
        public bool IsValid => Problems.Count == 0;
        public string? Dimensions => Width is { } w && Height is { } h ? string.Format(CultureInfo.InvariantCulture, "{0}x{1}", w, h) : null;

        public override string ToString() => IsValid
            ? $"{Source}: {Format} {Dimensions}, accepted"
            : $"{Source}: {string.Join(" ", Problems.Select(p => p.Message))}";
    }
}
