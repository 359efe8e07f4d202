using System;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using Dreamina.Transport;

namespace Dreamina.Upload
{
    /// <summary>
    /// Any other storage, by the user's own script block (Connect-Dreamina -ImageUploader): it is given the file
    /// and returns the URL the service should fetch. User script runs on the pipeline thread of the cmdlet that
    /// needs it, once per distinct image.
    /// </summary>
    internal sealed class ScriptBlockStore : IImageStore
    {
        private readonly ScriptBlock _uploader;
        private readonly Func<Func<object?>, Task<object?>> _onPipelineThread;

        /// <param name="onPipelineThread">Runs a piece of work on the pipeline thread and hands back its result.</param>
        public ScriptBlockStore(ScriptBlock uploader, Func<Func<object?>, Task<object?>> onPipelineThread)
        {
            _uploader = uploader;
            _onPipelineThread = onPipelineThread;
        }

        public async Task<UploadedImage> UploadAsync(LocalImage image, CancellationToken cancel)
        {
            object? returned;
            try
            {
                returned = await _onPipelineThread(() => _uploader.Invoke(new FileInfo(image.Path)).LastOrDefault(o => o?.BaseObject is not null)?.BaseObject).ConfigureAwait(false);
            }
            catch (RuntimeException e)
            {
                throw Failed(image, $"threw an error: {e.Message.TrimEnd('.')}.", e);
            }
            var text = returned switch
            {
                Uri uri => uri.OriginalString,
                string s => s,
                null => null,
                _ => returned.ToString(),
            };
            if (text is null) throw Failed(image, "returned nothing. It must return the URL the service can fetch the file from, as a [uri] or a string.", null);
            if (!Uri.TryCreate(text.Trim(), UriKind.Absolute, out var url) || !WebAddress.IsSecureOrLocal(url))
                throw Failed(image, "returned something that is not an https URL. It must return the URL the service can fetch the file from.", null);
            return new UploadedImage(url, url);
        }

        private static DreaminaException Failed(LocalImage image, string what, Exception? inner)
            => new DreaminaException(ErrorIds.UploaderFailed, ErrorCategory.InvalidResult,
                $"The -ImageUploader script given to Connect-Dreamina {what} (file {image.Path}); nothing was submitted for it.", inner);
    }
}
