using System;
using System.Collections.Generic;
using System.Globalization;

namespace Dreamina.Input
{
    /// <summary>The model's image rules, checked before a credit is spent.</summary>
    internal static class ImageRules
    {
        /// <summary>"Less than 4.7 MB": read as decimal megabytes, the stricter reading, so nothing sent can fail it.</summary>
        public const long MaxFileBytes = 4_700_000;
        public const int MinSideExclusive = 320;
        public const int MaxSide = 4096;
        public const double MaxRatioExclusive = 3.0;

        public static List<DreaminaImageProblem> Check(ImageHeader header, long? sizeBytes)
        {
            var problems = new List<DreaminaImageProblem>();
            if (header.Format == ImageFormat.Unknown)
            {
                problems.Add(new DreaminaImageProblem(ErrorIds.ImageFormatUnsupported, $"The image is not accepted: {header.Problem}. Convert it to JPEG or PNG."));
                return problems;
            }
            if (sizeBytes >= MaxFileBytes)
                problems.Add(new DreaminaImageProblem(ErrorIds.ImageFileTooLarge, string.Format(CultureInfo.InvariantCulture,
                    "The image file is {0:N0} bytes; the service takes files under 4.7 MB ({1:N0} bytes). Compress or shrink it.", sizeBytes, MaxFileBytes)));
            if (header.Problem is not null)
            {
                problems.Add(new DreaminaImageProblem(ErrorIds.ImageUnreadable, $"The image cannot be read: {header.Problem}. Save it again as JPEG or PNG."));
                return problems;
            }
            int width = header.Width, height = header.Height;
            if (width <= MinSideExclusive || height <= MinSideExclusive)
                problems.Add(new DreaminaImageProblem(ErrorIds.ImageTooSmall, $"The image is {width}x{height} pixels; each side must be more than {MinSideExclusive}. Upscale it."));
            if (width > MaxSide || height > MaxSide)
                problems.Add(new DreaminaImageProblem(ErrorIds.ImageTooLarge, $"The image is {width}x{height} pixels; the largest accepted is {MaxSide}x{MaxSide}. Downscale it."));
            var ratio = (double)Math.Max(width, height) / Math.Min(width, height);
            if (ratio >= MaxRatioExclusive)
                problems.Add(new DreaminaImageProblem(ErrorIds.ImageRatioInvalid, string.Format(CultureInfo.InvariantCulture,
                    "The image is {0}x{1} pixels, a ratio of {2:0.##}:1; the long side must be less than 3 times the short side. Crop it.", width, height, ratio)));
            return problems;
        }
    }
}
