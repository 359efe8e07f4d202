using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using Dreamina.Model;
using Dreamina.Transport;

namespace Dreamina.Input
{
    /// <summary>A submission that has passed every rule of the model's input schema.</summary>
    public sealed class VideoRequest
    {
        private VideoRequest(DreaminaModel model, string prompt, string? image, long seed, int frames)
        {
            Model = model;
            Prompt = prompt;
            Image = image;
            Seed = seed;
            Frames = frames;
        }

        internal DreaminaModel Model { get; }
        public string Prompt { get; }
        /// <summary>The image as the service is sent it: a URL it fetches, or a local file inline as a data URI; empty until prepared.</summary>
        internal string? Image { get; }
        public long Seed { get; }
        public int Frames { get; }

        /// <summary>
        /// Every rule but the image's, checked against the model's rules: prompt, seed and length. The image comes
        /// later (a local file is uploaded first). Throws a <see cref="DreaminaException"/> naming the rule and the value.
        /// </summary>
        /// <param name="durationSeconds">The friendlier spelling of <paramref name="frames"/>.</param>
        internal static VideoRequest CheckSettings(DreaminaModel model, string? prompt, long? seed, int? frames, int? durationSeconds)
        {
            var rules = model.Rules;
            // Control characters alone (a stray tab, a pasted escape) describe nothing either.
            if (prompt is null || prompt.All(c => char.IsWhiteSpace(c) || char.IsControl(c)))
                throw Invalid(ErrorIds.PromptMissing, $"The prompt is empty. Describe the motion you want, in at most {rules.MaxPromptLength} characters.");
            var length = CodePoints(prompt);
            if (length > rules.MaxPromptLength)
                throw Invalid(ErrorIds.PromptTooLong, $"The prompt has {length} characters; the service accepts at most {rules.MaxPromptLength}. Shorten it by {length - rules.MaxPromptLength}.");
            if (seed < -1)
                throw Invalid(ErrorIds.SeedInvalid, $"-Seed {seed} is not a seed the service takes; give 0 or more, or -1 (the default) for a random one.");

            int chosenFrames;
            if (durationSeconds is { } seconds)
            {
                chosenFrames = model.FramesFor(seconds)
                    ?? throw Invalid(ErrorIds.DurationInvalid, $"-Duration {seconds} is not offered; use {Either(model.Durations)} (seconds).");
                if (frames is { } both && both != chosenFrames)
                    throw Invalid(ErrorIds.FramesDurationConflict, $"-Frames {both} and -Duration {seconds} disagree; give only one of them.");
            }
            else
            {
                chosenFrames = frames ?? rules.DefaultFrames;
                if (!rules.Frames.Contains(chosenFrames))
                    throw Invalid(ErrorIds.FramesInvalid, $"-Frames {chosenFrames} is not offered; use {Either(rules.Frames.Select(f => $"{f} (about {DreaminaModel.SecondsOf(f)} s)"))}.");
            }
            return new VideoRequest(model, prompt, null, seed ?? -1, chosenFrames);
        }

        /// <summary>This request with the image the service will fetch.</summary>
        internal VideoRequest WithImage(string image) => new VideoRequest(Model, Prompt, image, Seed, Frames);

        /// <summary>HTTPS only, as the service fetches it; plain HTTP just for loopback (the emulator).</summary>
        public static Uri ParseImageUri(string? text)
        {
            if (string.IsNullOrWhiteSpace(text) || !Uri.TryCreate(text!.Trim(), UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host)
                || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
                throw Invalid(ErrorIds.ImageUriInvalid, $"'{text}' is not an absolute URL. The service fetches the image itself: give a public or pre-signed HTTPS URL (it has no upload).");
            if (!WebAddress.IsSecureOrLocal(uri))
                throw Invalid(ErrorIds.ImageUriNotHttps, $"'{uri}' is plain HTTP; the service takes HTTPS image URLs only.");
            if (!string.IsNullOrEmpty(uri.UserInfo))
                throw Invalid(ErrorIds.ImageUriInvalid, $"The image URL carries a user name or password; the service cannot sign in. Use a public or pre-signed URL.");
            return uri;
        }

        /// <summary>The submission's body, in the model's words.</summary>
        public string ToJson() => DreaminaModel.Body(Prompt, Image ?? throw new InvalidOperationException("The request has no image yet."), Seed, Frames);

        public override string ToString() => Describe(Image is null ? "(to be prepared)" : Image.StartsWith("data:", StringComparison.Ordinal) ? "(inline)" : Image);

        /// <summary>The request in a line, with the image as the caller names it (a redacted URL, a local path).</summary>
        internal string Describe(string image)
            => string.Format(CultureInfo.InvariantCulture, "{0} frames, seed {1}, image {2}, prompt {3}", Frames, Seed, image, QuotedPrompt);

        /// <summary>The prompt in quotes, cut short: enough to tell which job a message is about.</summary>
        internal string QuotedPrompt => "'" + (Prompt.Length > 60 ? Prompt.Substring(0, 57) + "..." : Prompt) + "'";

        // "121 or 241", "5, 10 or 15".
        private static string Either<T>(IEnumerable<T> choices)
        {
            var all = choices.Select(c => Convert.ToString(c, CultureInfo.InvariantCulture)).ToList();
            return all.Count == 1 ? all[0]! : string.Join(", ", all.Take(all.Count - 1)) + " or " + all[all.Count - 1];
        }

        // The service is a Python API: it counts code points, not UTF-16 units.
        private static int CodePoints(string text) => text.Length - text.Count(char.IsLowSurrogate);

        private static DreaminaException Invalid(string id, string message) => new DreaminaException(id, ErrorCategory.InvalidArgument, message);
    }
}
