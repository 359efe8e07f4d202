using System;

namespace Dreamina.Submission
{
    /// <summary>Where a job's image comes from, as the user gave it.</summary>
    internal abstract class ImageSource
    {
        /// <summary>How messages name it: a path, or the URL without its secrets.</summary>
        public abstract string Display { get; }
    }

    internal sealed class RemoteImage : ImageSource
    {
        public RemoteImage(Uri uri, string display)
        {
            Uri = uri;
            Display = display;
        }

        public Uri Uri { get; }
        public override string Display { get; }
    }

    internal sealed class LocalImageFile : ImageSource
    {
        public LocalImageFile(string path) => Path = path;

        public string Path { get; }
        public override string Display => Path;
    }

    /// <summary>A local file already uploaded (before a background job started): nothing left to do for it.</summary>
    internal sealed class UploadedSource : ImageSource
    {
        public UploadedSource(PreparedImage image, string display)
        {
            Image = image;
            Display = display;
        }

        public PreparedImage Image { get; }
        public override string Display { get; }
    }

    /// <summary>
    /// An image ready for a submission: what the service is sent (a URL, or the file itself as a data URI), and
    /// what the job and journal keep of it (an address without secrets, or the path and content hash; never bytes).
    /// </summary>
    internal sealed class PreparedImage
    {
        public PreparedImage(string forService, Uri? display, string? path, string? hash)
        {
            ForService = forService;
            Display = display;
            Path = path;
            Hash = hash;
        }

        public string ForService { get; }
        /// <summary>The address the job keeps; empty for an image sent inline.</summary>
        public Uri? Display { get; }
        public bool IsInline => Display is null;
        public string? Path { get; }
        public string? Hash { get; }
    }
}
