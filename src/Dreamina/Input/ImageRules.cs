using System;
using System.Collections.Generic;
using System.Globalization;
using Dreamina.Model;
using Rule = Dreamina.Model.InputRules.Rule;

namespace Dreamina.Input
{
    /// <summary>The model's image rules, checked before a credit is spent; each refusal in the service's words where it gave them, and what to do.</summary>
    internal static class ImageRules
    {
        public static List<DreaminaImageProblem> Check(ImageHeader header, long? sizeBytes, InputRules rules)
        {
            var problems = new List<DreaminaImageProblem>();
            if (header.Format == ImageFormat.Unknown)
            {
                problems.Add(new DreaminaImageProblem(ErrorIds.ImageFormatUnsupported, $"The image is not accepted: {header.Problem}. Convert it to JPEG or PNG."));
                return problems;
            }
            var image = rules.Image;
            if (sizeBytes >= rules.MaxImageBytes)
                problems.Add(Problem(ErrorIds.ImageFileTooLarge, rules, Rule.FileSize, Format("The image file is {0:N0} bytes", sizeBytes),
                    Format("the service takes files under {0:0.##} MB ({1:N0} bytes)", image[Rule.FileSize], rules.MaxImageBytes), "Compress or shrink it."));
            if (header.Problem is not null)
            {
                problems.Add(new DreaminaImageProblem(ErrorIds.ImageUnreadable, $"The image cannot be read: {header.Problem}. Save it again as JPEG or PNG."));
                return problems;
            }
            int width = header.Width, height = header.Height;
            var size = $"The image is {width}x{height} pixels";
            if (width <= image[Rule.MinWidth] || height <= image[Rule.MinHeight])
                problems.Add(Problem(ErrorIds.ImageTooSmall, rules, width <= image[Rule.MinWidth] ? Rule.MinWidth : Rule.MinHeight, size,
                    image[Rule.MinWidth] == image[Rule.MinHeight] ? Format("each side must be more than {0:0}", image[Rule.MinWidth])
                        : Format("the width must be more than {0:0} and the height more than {1:0}", image[Rule.MinWidth], image[Rule.MinHeight]), "Upscale it."));
            if (width > image[Rule.MaxWidth] || height > image[Rule.MaxHeight])
                problems.Add(Problem(ErrorIds.ImageTooLarge, rules, width > image[Rule.MaxWidth] ? Rule.MaxWidth : Rule.MaxHeight, size,
                    Format("the largest accepted is {0:0}x{1:0}", image[Rule.MaxWidth], image[Rule.MaxHeight]), "Downscale it."));
            var aspect = (decimal)width / height;
            if (aspect >= image[Rule.MaxAspect] || aspect <= image[Rule.MinAspect])
                problems.Add(Problem(ErrorIds.ImageRatioInvalid, rules, aspect >= image[Rule.MaxAspect] ? Rule.MaxAspect : Rule.MinAspect,
                    Format("The image is {0}x{1} pixels, a ratio of {2:0.##}:1", width, height, aspect >= 1 ? aspect : 1 / aspect),
                    Math.Abs(image[Rule.MinAspect] * image[Rule.MaxAspect] - 1) < 0.01m ? Format("the long side must be less than {0:0.##} times the short side", image[Rule.MaxAspect])
                        : Format("width / height must be more than {0:0.###} and less than {1:0.###}", image[Rule.MinAspect], image[Rule.MaxAspect]), "Crop it."));
            return problems;
        }

        // "What is wrong; the rule (in the service's words when it gave them). What to do."
        private static DreaminaImageProblem Problem(string id, InputRules rules, string rule, string found, string ourWords, string advice)
            => new DreaminaImageProblem(id, rules.ServiceWords.TryGetValue(rule, out var words)
                ? $"{found}; RunComfy's rule: \"{words}\". {advice}"
                : $"{found}; {ourWords}. {advice}");

        private static string Format(string format, params object?[] values) => string.Format(CultureInfo.InvariantCulture, format, values);
    }
}
