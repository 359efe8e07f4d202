using System;
using System.Collections.Concurrent;
using System.Threading;
using System.Threading.Tasks;
using Dreamina.Input;
using Dreamina.Upload;

namespace Dreamina.Submission
{
    /// <summary>
    /// Gets each image ready, once per distinct image in a call however many jobs use it: a URL's header is
    /// checked against the model's rules; a local file is checked from disk, then uploaded to the user's store,
    /// or, with no store, sent inline (read again for each job, so a batch never holds every image at once).
    /// </summary>
    internal sealed class ImagePreparer
    {
        private readonly ImageInspector _inspector;
        private readonly IImageStore? _store;
        private readonly bool _skipRemoteCheck;
        private readonly ConcurrentDictionary<Uri, Lazy<Task<DreaminaImageReport>>> _checks = new ConcurrentDictionary<Uri, Lazy<Task<DreaminaImageReport>>>();
        private readonly ConcurrentDictionary<string, Lazy<Task<UploadedImage>>> _uploads = new ConcurrentDictionary<string, Lazy<Task<UploadedImage>>>();

        public ImagePreparer(ImageInspector inspector, IImageStore? store, bool skipRemoteCheck)
        {
            _inspector = inspector;
            _store = store;
            _skipRemoteCheck = skipRemoteCheck;
        }

        /// <exception cref="DreaminaException">The image would be rejected, or could not be uploaded: nothing may be submitted.</exception>
        public async Task<PreparedImage> PrepareAsync(ImageSource source, CancellationToken cancel)
        {
            switch (source)
            {
                case RemoteImage remote:
                    if (!_skipRemoteCheck)
                    {
                        var report = await CheckAsync(remote, cancel).ConfigureAwait(false);
                        if (!report.IsValid) throw ImageInspector.Rejection(report);
                    }
                    return new PreparedImage(remote.Uri.AbsoluteUri, remote.Uri, null, null);
                case LocalImageFile local:
                    var image = await LocalImages.PrepareAsync(local.Path, _inspector, cancel).ConfigureAwait(false);
                    // With no store the file goes in the request itself, which RunComfy keeps as a hosted input.
                    if (_store is not { } store) return new PreparedImage(await InlineImage.DataUriAsync(image, cancel).ConfigureAwait(false), null, local.Path, image.Sha256);
                    var uploaded = await Once(_uploads, image.Sha256, () => store.UploadAsync(image, cancel)).ConfigureAwait(false);
                    return new PreparedImage(uploaded.ForService.AbsoluteUri, uploaded.Display, local.Path, image.Sha256);
                case UploadedSource done:
                    return done.Image;
                default:
                    throw new ArgumentOutOfRangeException(nameof(source));
            }
        }

        /// <summary>Whether the image will travel in the request itself: a local file, with no image store set.</summary>
        public bool GoesInline(ImageSource source) => source is LocalImageFile && _store is null;

        /// <summary>Whether uploads run user script, which only a pipeline thread may run (a background job has none).</summary>
        public bool UploadsOnPipelineThread => _store is ScriptBlockStore;

        /// <summary>What -WhatIf may look at without sending anything: a URL's header (unless checks are skipped), a local file; else null.</summary>
        public Task<DreaminaImageReport>? PreviewAsync(ImageSource source, CancellationToken cancel) => source switch
        {
            RemoteImage remote when !_skipRemoteCheck => CheckAsync(remote, cancel),
            LocalImageFile local => _inspector.InspectFileAsync(local.Path, cancel),
            _ => null,
        };

        /// <summary>The check of a URL's image, shared by every job of the call that uses it.</summary>
        public Task<DreaminaImageReport> CheckAsync(RemoteImage remote, CancellationToken cancel)
            => Once(_checks, remote.Uri, () => _inspector.InspectUriAsync(remote.Uri, remote.Display, cancel));

        private static Task<T> Once<TKey, T>(ConcurrentDictionary<TKey, Lazy<Task<T>>> cache, TKey key, Func<Task<T>> start) where TKey : notnull
            => cache.GetOrAdd(key, _ => new Lazy<Task<T>>(start)).Value;
    }
}
