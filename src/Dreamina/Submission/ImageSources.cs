using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using Dreamina.Input;
using Dreamina.Reporting;

namespace Dreamina.Submission
{
    /// <summary>The image of one input, as the user gave it: one URL, or local files (a wildcard may name several, each its own job).</summary>
    internal static class ImageSources
    {
        /// <param name="resolve">A path as this PowerShell location reads it, as a file-system path.</param>
        /// <param name="expand">The files a wildcard path matches (none when it matches nothing).</param>
        public static List<ImageSource> From(string[]? imageUri, string[]? imagePath, string[]? literalPath, Redactor redactor,
            Func<string, string> resolve, Func<string, List<string>> expand)
        {
            var uris = Given(imageUri);
            var paths = Given(imagePath);
            var literal = Given(literalPath);
            if (new[] { uris.Count, paths.Count, literal.Count }.Count(n => n > 0) > 1)
                throw new DreaminaException(ErrorIds.ImageSourceConflict, ErrorCategory.InvalidArgument,
                    "Give the image one way: -ImageUri for a URL, or -ImagePath / -LiteralPath for a local file, not several.");
            if (uris.Count > 0)
            {
                if (uris.Count != 1)
                    throw new DreaminaException(ErrorIds.ImageCountInvalid, ErrorCategory.InvalidArgument, $"The model takes exactly one image; {uris.Count} were given. Submit one job per image.");
                var uri = VideoRequest.ParseImageUri(uris[0]);
                return new List<ImageSource> { new RemoteImage(uri, redactor.Redact(uri).ToString()) };
            }
            if (paths.Count + literal.Count == 0)
                throw new DreaminaException(ErrorIds.ImageCountInvalid, ErrorCategory.InvalidArgument,
                    "No image was given. Give -ImageUri with a URL the service can fetch, or -ImagePath with a local file to upload.");
            return paths.SelectMany(p => Expand(p, resolve, expand)).Concat(literal.Select(resolve)).Select(p => (ImageSource)new LocalImageFile(p)).ToList();
        }

        /// <summary>What an input's errors name: the image as given, else the prompt.</summary>
        public static object Target(string[]? imageUri, string[]? imagePath, string[]? literalPath, string prompt)
            => Given(imageUri).FirstOrDefault() ?? Given(imagePath).FirstOrDefault() ?? Given(literalPath).FirstOrDefault() ?? (object)prompt;

        // A wildcard names every file it matches; a path without one names a file that may not exist (its error says so).
        private static IEnumerable<string> Expand(string path, Func<string, string> resolve, Func<string, List<string>> expand)
        {
            if (!WildcardPattern.ContainsWildcardCharacters(path)) return new[] { resolve(path) };
            var found = expand(path);
            if (found.Count == 0)
                throw new DreaminaException(ErrorIds.ImageFileNotFound, ErrorCategory.ObjectNotFound, $"No file matches '{path}'.");
            return found;
        }

        private static List<string> Given(string[]? values) => values?.Where(v => !string.IsNullOrWhiteSpace(v)).ToList() ?? new List<string>();
    }
}
