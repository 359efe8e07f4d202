using System;
using System.Collections.Generic;
using System.Globalization;
using Dreamina.Model;

namespace Dreamina.Input
{
    /// <summary>The model's image rules, checked before a credit is spent.</summary>
    internal static class ImageRules
    {
        public static List<DreaminaImageProblem> Check(ImageHeader header, long? sizeBytes, InputRules rules)
        {
            long maxFileBytes = rules.MaxImageBytes;
            int minSideExclusive = rules.MinSideExclusive, maxSide = rules.MaxSide;
            var maxRatioExclusive = rules.MaxRatioExclusive;
            var problems = new List<DreaminaImageProblem>();
            if (header.Format == ImageFormat.Unknown)
            {
                problems.Add(new DreaminaImageProblem(ErrorIds.ImageFormatUnsupported, $"The image is not accepted: {header.Problem}. Convert it to JPEG or PNG."));
                return problems;
            }
            if (sizeBytes >= maxFileBytes)
                problems.Add(new DreaminaImageProblem(ErrorIds.ImageFileTooLarge, string.Format(CultureInfo.InvariantCulture,
                    "The image file is {0:N0} bytes; the service takes files under {1:0.##} MB ({2:N0} bytes). Compress or shrink it.", sizeBytes, maxFileBytes / 1e6, maxFileBytes)));
            if (header.Problem is not null)
            {
                problems.Add(new DreaminaImageProblem(ErrorIds.ImageUnreadable, $"The image cannot be read: {header.Problem}. Save it again as JPEG or PNG."));
                return problems;
            }
            int width = header.Width, height = header.Height;
            if (width <= minSideExclusive || height <= minSideExclusive)
                problems.Add(new DreaminaImageProblem(ErrorIds.ImageTooSmall, $"The image is {width}x{height} pixels; each side must be more than {minSideExclusive}. Upscale it."));
            if (width > maxSide || height > maxSide)
                problems.Add(new DreaminaImageProblem(ErrorIds.ImageTooLarge, $"The image is {width}x{height} pixels; the largest accepted is {maxSide}x{maxSide}. Downscale it."));
            var ratio = (double)Math.Max(width, height) / Math.Min(width, height);
            if (ratio >= maxRatioExclusive)
                problems.Add(new DreaminaImageProblem(ErrorIds.ImageRatioInvalid, string.Format(CultureInfo.InvariantCulture,
                    "The image is {0}x{1} pixels, a ratio of {2:0.##}:1; the long side must be less than {3:0.##} times the short side. Crop it.", width, height, ratio, maxRatioExclusive)));
            return problems;
        }
    }
}
