using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using System.Text.Json;

namespace Dreamina.Input
{
    /// <summary>A submission that has passed every rule of the model's input schema.</summary>
    public sealed class VideoRequest
    {
        public const int MaxPromptLength = 800;
        public const int FiveSecondFrames = 121;
        public const int TenSecondFrames = 241;

        private VideoRequest(string prompt, Uri? imageUri, long seed, int frames)
        {
            Prompt = prompt;
            ImageUri = imageUri;
            Seed = seed;
            Frames = frames;
        }

        public string Prompt { get; }
        /// <summary>The image the service fetches; empty until a local file has been uploaded.</summary>
        public Uri? ImageUri { get; }
        public long Seed { get; }
        public int Frames { get; }

        /// <summary>Checks every rule locally; throws a <see cref="DreaminaException"/> naming the rule and the value.</summary>
        /// <param name="durationSeconds">5 or 10, the friendlier spelling of <paramref name="frames"/>.</param>
        public static VideoRequest Create(string? prompt, IReadOnlyList<string>? imageUris, long? seed, int? frames, int? durationSeconds)
        {
            var settings = CheckSettings(prompt, seed, frames, durationSeconds);
            var images = imageUris?.Where(u => u is not null).ToList() ?? new List<string>();
            if (images.Count != 1)
                throw Invalid(ErrorIds.ImageCountInvalid, $"The model takes exactly one image; {images.Count} were given. Submit one job per image.");
            return settings.WithImage(ParseImageUri(images[0]));
        }

        /// <summary>Every rule but the image's: prompt, seed and length. The image comes later (a local file is uploaded first).</summary>
        internal static VideoRequest CheckSettings(string? prompt, long? seed, int? frames, int? durationSeconds)
        {
            // Control characters alone (a stray tab, a pasted escape) describe nothing either.
            if (prompt is null || prompt.All(c => char.IsWhiteSpace(c) || char.IsControl(c)))
                throw Invalid(ErrorIds.PromptMissing, "The prompt is empty. Describe the motion you want, in at most 800 characters.");
            var length = CodePoints(prompt);
            if (length > MaxPromptLength)
                throw Invalid(ErrorIds.PromptTooLong, $"The prompt has {length} characters; the service accepts at most {MaxPromptLength}. Shorten it by {length - MaxPromptLength}.");
            if (seed < -1)
                throw Invalid(ErrorIds.SeedInvalid, $"-Seed {seed} is not a seed the service takes; give 0 or more, or -1 (the default) for a random one.");

            int chosenFrames;
            if (durationSeconds is { } seconds)
            {
                if (seconds is not (5 or 10))
                    throw Invalid(ErrorIds.DurationInvalid, $"-Duration {seconds} is not offered; use 5 or 10 (seconds).");
                chosenFrames = seconds == 5 ? FiveSecondFrames : TenSecondFrames;
                if (frames is { } both && both != chosenFrames)
                    throw Invalid(ErrorIds.FramesDurationConflict, $"-Frames {both} and -Duration {seconds} disagree; give only one of them.");
            }
            else
            {
                chosenFrames = frames ?? FiveSecondFrames;
                if (chosenFrames is not (FiveSecondFrames or TenSecondFrames))
                    throw Invalid(ErrorIds.FramesInvalid, $"-Frames {chosenFrames} is not offered; use 121 (about 5 s) or 241 (about 10 s).");
            }
            return new VideoRequest(prompt, null, seed ?? -1, chosenFrames);
        }

        /// <summary>This request with the image the service will fetch.</summary>
        internal VideoRequest WithImage(Uri image) => new VideoRequest(Prompt, image, Seed, Frames);

        /// <summary>HTTPS only, as the service fetches it; plain HTTP just for loopback (the emulator).</summary>
        public static Uri ParseImageUri(string? text)
        {
            if (string.IsNullOrWhiteSpace(text) || !Uri.TryCreate(text!.Trim(), UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host)
                || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
                throw Invalid(ErrorIds.ImageUriInvalid, $"'{text}' is not an absolute URL. The service fetches the image itself: give a public or pre-signed HTTPS URL (it has no upload).");
            if (uri.Scheme == Uri.UriSchemeHttp && !uri.IsLoopback)
                throw Invalid(ErrorIds.ImageUriNotHttps, $"'{uri}' is plain HTTP; the service takes HTTPS image URLs only.");
            if (!string.IsNullOrEmpty(uri.UserInfo))
                throw Invalid(ErrorIds.ImageUriInvalid, $"The image URL carries a user name or password; the service cannot sign in. Use a public or pre-signed URL.");
            return uri;
        }

        public string ToJson() => JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["prompt"] = Prompt,
            ["image_urls"] = new[] { (ImageUri ?? throw new InvalidOperationException("The request has no image yet.")).AbsoluteUri },
            ["seed"] = Seed,
            ["frames"] = Frames,
        });

        public override string ToString() => Describe(ImageUri?.ToString() ?? "(to be uploaded)");

        /// <summary>The request in a line, with the image as the caller names it (a redacted URL, a local path).</summary>
        internal string Describe(string image)
            => string.Format(CultureInfo.InvariantCulture, "{0} frames, seed {1}, image {2}, prompt {3}", Frames, Seed, image, QuotedPrompt);

        /// <summary>The prompt in quotes, cut short: enough to tell which job a message is about.</summary>
        internal string QuotedPrompt => "'" + (Prompt.Length > 60 ? Prompt.Substring(0, 57) + "..." : Prompt) + "'";

        // The service is a Python API: it counts code points, not UTF-16 units.
        private static int CodePoints(string text) => text.Length - text.Count(char.IsLowSurrogate);

        private static DreaminaException Invalid(string id, string message) => new DreaminaException(id, ErrorCategory.InvalidArgument, message);
    }
}
