using System;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using System.Threading;

namespace Dreamina.Download
{
    /// <summary>
    /// Where each video goes: one file named by -Path, the name -FileName chose (with -2, -3 when that name is
    /// taken by another file or another job of this run), or &lt;request id&gt;.mp4 in a folder.
    /// </summary>
    internal sealed class SaveTargets
    {
        private readonly string? _path;
        private readonly string _folder;
        private readonly bool _overwrite;
        private readonly HashSet<string> _claimed = new HashSet<string>(StringComparer.Ordinal);
        private readonly Dictionary<(DreaminaJob, int), string> _given = new Dictionary<(DreaminaJob, int), string>();
        private int _usedPath;

        /// <param name="path">The resolved -Path, or null.</param>
        /// <param name="folder">The resolved -Directory, or the current location.</param>
        /// <param name="overwrite">-Force: a chosen name is used even when a file is there.</param>
        public SaveTargets(string? path, string folder, bool overwrite)
        {
            _path = path;
            _folder = folder;
            _overwrite = overwrite;
        }

        /// <summary>The file for a job's video; asked again, the same answer.</summary>
        /// <param name="chosenName">The file name -FileName gave this job, or null.</param>
        public string For(DreaminaJob job, int index, string? chosenName)
        {
            lock (_given)
            {
                if (!_given.TryGetValue((job, index), out var target)) _given[(job, index)] = target = Choose(job, index, chosenName);
                return target;
            }
        }

        private string Choose(DreaminaJob job, int index, string? chosenName)
        {
            if (_path is not null)
            {
                if (Interlocked.Increment(ref _usedPath) > 1)
                    throw new DreaminaException(ErrorIds.PathIsAmbiguous, ErrorCategory.InvalidArgument,
                        $"-Path names one file, but a second video (job {job.RequestId}) would go there too. Use -Directory to save several videos.");
                return _path;
            }
            if (chosenName is null) return SafeFileName.Within(_folder, SafeFileName.ForVideo(job.RequestId!, job.VideoUris[index], index, job.VideoUris.Count));
            var stem = Path.GetFileNameWithoutExtension(chosenName);
            var extension = Path.GetExtension(chosenName);
            lock (_claimed)
            {
                for (var n = index + 1; ; n++)
                {
                    var candidate = SafeFileName.Within(_folder, n == 1 ? chosenName : $"{stem}-{n}{extension}");
                    if (_claimed.Contains(candidate) || TakenByAnother(candidate, job)) continue;
                    _claimed.Add(candidate);
                    return candidate;
                }
            }
        }

        // A file already there is this job's own video (a re-run finds it) or, with -Force, to be replaced; else the name is taken.
        private bool TakenByAnother(string candidate, DreaminaJob job)
            => File.Exists(candidate) && !_overwrite && job.SavedTo != candidate && VideoDownloader.FinishedEarlier(candidate, job.RequestId!) is null;
    }
}
