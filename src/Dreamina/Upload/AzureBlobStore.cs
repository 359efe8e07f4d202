using System;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Dreamina.Reporting;
using Dreamina.Service;
using Dreamina.Transport;

namespace Dreamina.Upload
{
    /// <summary>
    /// An Azure Blob Storage container the user owns, reached with a pre-signed SAS: no Azure SDK, no signing,
    /// a few REST calls. Each image is one block blob named by its content hash, so a batch that runs twice
    /// uploads nothing new: a HEAD says whether it is there, a single Put Blob (with Content-MD5) puts it there.
    /// The service is given the blob's URL with the SAS; nothing the module prints or keeps holds the SAS.
    /// </summary>
    internal sealed class AzureBlobStore : IImageStore
    {
        /// <summary>The Blob service version the requests speak (Put Blob and Get Blob Properties are unchanged since long before it).</summary>
        public const string ApiVersion = "2021-12-02";
        private readonly HttpClient _content;
        private readonly Uri _container;
        private readonly RetryPolicy _retry;
        private readonly IActivityLog _log;

        public AzureBlobStore(HttpClient content, Uri container, RetryPolicy retry, IActivityLog log)
        {
            _content = content;
            _container = container;
            _retry = retry;
            _log = log;
        }

        /// <summary>An image store address as Connect-Dreamina takes it: https (http only on this machine), a container path, and a SAS.</summary>
        public static Uri Check(string text)
        {
            if (!Uri.TryCreate(text?.Trim(), UriKind.Absolute, out var uri) || !WebAddress.IsSecureOrLocal(uri))
                throw Invalid("The image store must be an https:// address of an Azure Blob container (http:// only on this machine, for Azurite).");
            if (uri.AbsolutePath.Trim('/').Length == 0)
                throw Invalid($"The image store {AzureSas.Display(uri)} names no container: add the container to the path, as in https://<account>.blob.core.windows.net/<container>?<SAS>.");
            if (!AzureSas.HasSignature(uri))
                throw Invalid($"The image store {AzureSas.Display(uri)} has no SAS (no 'sig' in its query). Create one with create, write and read permissions on the container and append it after '?'.");
            if (SasProblem(uri) is { } problem) throw Invalid($"The image store {AzureSas.Display(uri)} cannot be used: {problem}");
            return uri;
        }

        public Task<UploadedImage> UploadAsync(LocalImage image, CancellationToken cancel)
        {
            var blob = BlobUri(image);
            var display = new Uri(blob.GetLeftPart(UriPartial.Path));
            var loop = new RetryLoop(_retry)
            {
                BeforePause = (e, retry, pause) => _log.Verbose($"Uploading {image.Path}: {Reason(e)} Retry {retry} of {_retry.MaxRetries} in {pause.TotalSeconds:0.##} s."),
                GiveUp = (e, attempts, _) => new DreaminaException(ErrorIds.UploadFailed, ErrorCategory.ConnectionError,
                    $"Uploading {image.Path} to {display} failed {attempts} times ({Reason(e)}); nothing was submitted for it. Run the command again to retry.", e),
            };
            return loop.RunAsync(async () =>
            {
                if (await ExistsAsync(blob, display, cancel).ConfigureAwait(false))
                {
                    _log.Verbose($"{image.Path} is already in the image store as {display}; not uploaded again.");
                }
                else
                {
                    await PutAsync(blob, display, image, cancel).ConfigureAwait(false);
                    _log.Verbose($"Uploaded {image.Path} ({image.Length:N0} bytes) to {display}.");
                }
                return new UploadedImage(blob, display);
            }, cancel);
        }

        private Uri BlobUri(LocalImage image)
        {
            var builder = new UriBuilder(_container);
            builder.Path = builder.Path.TrimEnd('/') + "/" + image.Sha256 + image.Extension;
            return builder.Uri;
        }

        private async Task<bool> ExistsAsync(Uri blob, Uri display, CancellationToken cancel)
        {
            using var response = await ContentHttp.SendAsync(_content, HttpMethod.Head, blob, OnlyTo(blob), Version, _retry.RequestTimeout, cancel).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            if (status == 200) return true;
            if (status == 404) return false;
            throw Failure(response, display, "look for");
        }

        private async Task PutAsync(Uri blob, Uri display, LocalImage image, CancellationToken cancel)
        {
            using var file = new FileStream(image.Path, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, useAsync: true);
            if (file.Length != image.Length) throw Changed(image);
            using var response = await ContentHttp.SendAsync(_content, HttpMethod.Put, blob, OnlyTo(blob), request =>
            {
                Version(request);
                request.Headers.Add("x-ms-blob-type", "BlockBlob");
                request.Content = new StreamContent(file, 81920);
                request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(image.ContentType);
                request.Content.Headers.ContentMD5 = image.Md5;
                request.Content.Headers.ContentLength = image.Length;
            }, _retry.RequestTimeout, cancel).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            if (status == 201) return;
            if (ErrorCode(response) == "Md5Mismatch") throw Changed(image);
            throw Failure(response, display, "upload to");
        }

        private static void Version(HttpRequestMessage request) => request.Headers.Add("x-ms-version", ApiVersion);

        // A storage host that redirects is not followed: the SAS goes to the address the user gave, and nowhere else.
        private static Func<Uri, DreaminaException?> OnlyTo(Uri blob) => hop => hop == blob ? null
            : new DreaminaException(ErrorIds.UploadRefused, ErrorCategory.SecurityError,
                "The image store redirected the request to another address; the SAS is not sent on. Check the address given to Connect-Dreamina -ImageStore.");

        private DreaminaException Failure(HttpResponseMessage response, Uri display, string doing)
        {
            var status = (int)response.StatusCode;
            var code = ErrorCode(response);
            if (status == 403 || status == 401)
            {
                return new DreaminaException(ErrorIds.UploadRefused, ErrorCategory.PermissionDenied,
                    $"The image store refused to let this module {doing} {display} (HTTP {status}{(code is null ? "" : ", " + code)}): {Explain(code)} Nothing was submitted for this image.");
            }
            if (status == 404 && code == "ContainerNotFound")
            {
                return new DreaminaException(ErrorIds.UploadRefused, ErrorCategory.ObjectNotFound,
                    $"The image store's container {AzureSas.Display(_container)} does not exist. Create it, or correct Connect-Dreamina -ImageStore.");
            }
            var transient = WebAddress.IsTransientStatus(status);
            return new DreaminaException(transient ? ErrorIds.ServiceUnavailable : ErrorIds.UploadFailed, transient ? ErrorCategory.ResourceUnavailable : ErrorCategory.WriteError,
                $"The image store answered HTTP {status}{(code is null ? "" : " (" + code + ")")} when asked to {doing} {display}.")
            {
                IsTransient = transient,
                RetryAfter = RetryPolicy.ParseRetryAfter(response.Headers.RetryAfter, DateTimeOffset.UtcNow),
            };
        }

        // What is wrong with the SAS, read from the SAS itself where it tells (its expiry, its permissions); the
        // service's error code differs between Azure and Azurite, so it is only the last resort.
        private string Explain(string? code) => SasProblem(_container) ?? code switch
        {
            "AuthorizationResourceTypeMismatch" => "its SAS is not for blobs in this container. Make a container SAS with read, create and write permissions.",
            _ => "its SAS was not accepted for this container: it is for another container or account, or it was changed when it was copied. Make a new one for this container.",
        };

        /// <summary>Why a SAS cannot work, as far as the SAS itself shows: expired, or missing a permission. Null when it looks fine.</summary>
        public static string? SasProblem(Uri container)
        {
            if (AzureSas.ExpiredAt(container) is { } expiry)
                return $"its SAS expired at {expiry.ToLocalTime():g}. Make a new one and run Connect-Dreamina -ImageStore again.";
            if (AzureSas.MissingPermissions(container, "rcw") is { Length: > 0 } missing)
                return $"its SAS does not grant {string.Join(", ", missing.Select(p => p switch { 'r' => "read (r)", 'c' => "create (c)", _ => "write (w)" }))}. It must allow read, create and write on the container: the service reads each image with it.";
            return null;
        }

        private static string? ErrorCode(HttpResponseMessage response)
            => response.Headers.TryGetValues("x-ms-error-code", out var values) ? values.FirstOrDefault() : null;

        private static DreaminaException Changed(LocalImage image)
            => new DreaminaException(ErrorIds.UploadFailed, ErrorCategory.WriteError,
                $"{image.Path} changed while it was being uploaded; nothing was submitted for it. Run the command again once the file is complete.");

        private static DreaminaException Invalid(string message) => new DreaminaException(ErrorIds.ImageStoreInvalid, ErrorCategory.InvalidArgument, message);

        private static string Reason(Exception e) => (e is DreaminaException ? e.Message : e.GetBaseException().Message).TrimEnd('.') + ".";
    }
}
