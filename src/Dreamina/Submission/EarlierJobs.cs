using System;
using System.Collections.Generic;
using System.Linq;
using Dreamina.Input;
using Dreamina.Model;
using Dreamina.Upload;

namespace Dreamina.Submission
{
    /// <summary>
    /// The jobs the journal already holds, by what made them (the API, prompt, image, seed and frames), so that a
    /// re-run finds what it already paid for instead of paying again. The k-th identical input of a call claims
    /// the k-th such job, oldest first: two takes of one shot are two jobs the first time and none the second.
    /// Failed and cancelled jobs are not claimed: asking again for those is what a re-run is for.
    /// </summary>
    internal sealed class EarlierJobs
    {
        private readonly Dictionary<string, Queue<DreaminaJob>> _byInput = new Dictionary<string, Queue<DreaminaJob>>(StringComparer.Ordinal);
        private readonly Uri _service;
        private readonly bool _anyFromFiles;

        /// <param name="journaled">The journal's jobs, in the order they were submitted.</param>
        public EarlierJobs(IEnumerable<DreaminaJob> journaled, Uri service)
        {
            _service = service;
            foreach (var job in journaled)
            {
                if (job.Status is JobStatus.Failed or JobStatus.Cancelled || job.ServiceUri is null || job.Prompt is null) continue;
                if (ImageKey(job) is not { } image) continue;
                var key = Key(job.ServiceUri, job.Prompt, image, job.Seed, job.Frames);
                if (!_byInput.TryGetValue(key, out var jobs)) _byInput[key] = jobs = new Queue<DreaminaJob>();
                jobs.Enqueue(job);
                _anyFromFiles |= job.ImageHash is not null;
            }
        }

        /// <summary>The earlier job this input repeats, taken so that no other input of the call gets it; null when it is new.</summary>
        public DreaminaJob? Claim(VideoRequest settings, ImageSource image)
        {
            if (_byInput.Count == 0) return null;
            var imageKey = image switch
            {
                RemoteImage remote => WithoutQuery(remote.Uri),
                // A file is known by its content, which is hashed only when some journaled job came from a file.
                LocalImageFile local when _anyFromFiles => LocalImages.Sha256Of(local.Path) is { } hash ? "sha256:" + hash : null,
                _ => null,
            };
            if (imageKey is null) return null;
            return _byInput.TryGetValue(Key(_service, settings.Prompt, imageKey, settings.Seed, settings.Frames), out var jobs) && jobs.Count > 0 ? jobs.Dequeue() : null;
        }

        private static string? ImageKey(DreaminaJob job)
            => job.ImageHash is { } hash ? "sha256:" + hash : job.ImageUri is { } uri ? WithoutQuery(uri) : null;

        // The query of a pre-signed URL changes from run to run; the image is the address without it.
        private static string WithoutQuery(Uri uri) => uri.GetLeftPart(UriPartial.Path);

        private static string Key(Uri service, string prompt, string image, long? seed, int? frames)
            => string.Join("\n", service.AbsoluteUri.TrimEnd('/'), prompt, image, seed ?? -1, frames ?? DreaminaModel.ImageToVideo.Rules.DefaultFrames);
    }
}
