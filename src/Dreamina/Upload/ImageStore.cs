using System;
using System.Management.Automation;
using System.Net.Http;
using System.Threading;
using Dreamina.Reporting;
using Dreamina.Transport;
using System.Threading.Tasks;

namespace Dreamina.Upload
{
    /// <summary>A local image file, checked against the model's rules and hashed, ready to upload.</summary>
    internal sealed class LocalImage
    {
        public LocalImage(string path, string format, long length, string sha256, byte[] md5)
        {
            Path = path;
            Format = format;
            Length = length;
            Sha256 = sha256;
            Md5 = md5;
        }

        public string Path { get; }
        /// <summary>PNG or JPEG, by content.</summary>
        public string Format { get; }
        public long Length { get; }
        /// <summary>Lower-case hex: names the blob, so the same picture is uploaded once however often it is used.</summary>
        public string Sha256 { get; }
        public byte[] Md5 { get; }
        public string ContentType => Format == "PNG" ? "image/png" : "image/jpeg";
        public string Extension => Format == "PNG" ? ".png" : ".jpg";
    }

    /// <summary>Where an uploaded image lives: the URL the service fetches (signed), and the same without its secrets.</summary>
    internal sealed class UploadedImage
    {
        public UploadedImage(Uri forService, Uri display)
        {
            ForService = forService;
            Display = display;
        }

        public Uri ForService { get; }
        public Uri Display { get; }
    }

    /// <summary>Storage the user owns, into which local images go so that the service can fetch them by URL.</summary>
    internal interface IImageStore
    {
        /// <exception cref="DreaminaException">The upload was refused or failed; nothing must be submitted for this image.</exception>
        Task<UploadedImage> UploadAsync(LocalImage image, CancellationToken cancel);
    }

    internal static class ImageStores
    {
        /// <summary>Where local images go: the Azure container when one is set, else the user's upload script, else nowhere (null).</summary>
        /// <param name="onPipelineThread">Runs user script on the pipeline thread and hands back its result.</param>
        public static IImageStore? Choose(Uri? container, ScriptBlock? uploader, HttpClient content, RetryPolicy retry, IActivityLog log,
            Func<Func<object?>, Task<object?>> onPipelineThread)
            => container is not null ? new AzureBlobStore(content, container, retry, log)
                : uploader is not null ? new ScriptBlockStore(uploader, onPipelineThread)
                : null;
    }
}
