using System;
using System.Collections.Generic;
using System.Linq;

namespace Dreamina.Model
{
    /// <summary>
    /// What the model accepts, as data: the checks in Input/ are made from it. The page's rules are built in
    /// (<see cref="FromThePage"/>); the service's schema can supply another set (<see cref="SchemaRules"/>), and a
    /// rule it leaves out keeps the page's value. Each image rule may carry the service's own words for it.
    /// </summary>
    internal sealed class InputRules
    {
        public const string BuiltIn = "built in";
        public const string FromService = "RunComfy";

        /// <summary>The names the schema's image validations use, as RunComfy's page spells them.</summary>
        public static class Rule
        {
            public const string FileSize = "file_size_mb<";
            public const string MaxWidth = "width_pixels<=";
            public const string MaxHeight = "height_pixels<=";
            public const string MinWidth = "width_pixels>";
            public const string MinHeight = "height_pixels>";
            public const string MaxAspect = "width/height<";
            public const string MinAspect = "width/height>";
            public static readonly string[] Known = { FileSize, MaxWidth, MaxHeight, MinWidth, MinHeight, MaxAspect, MinAspect };
        }

        public InputRules(string source, int maxPromptLength, IReadOnlyList<int> frames, IReadOnlyDictionary<string, decimal> image,
            IReadOnlyDictionary<string, string>? serviceWords = null, IReadOnlyList<string>? leftToService = null, IReadOnlyCollection<string>? stated = null)
        {
            Stated = stated ?? Array.Empty<string>();
            Source = source;
            MaxPromptLength = maxPromptLength;
            Frames = frames;
            Image = image;
            ServiceWords = serviceWords ?? new Dictionary<string, string>();
            LeftToService = leftToService ?? Array.Empty<string>();
        }

        /// <summary>
        /// The model page's rules. "Less than 4.7 MB" is read as decimal megabytes, the stricter reading, so
        /// nothing sent can fail it; the ratio "within 3:1" either way round.
        /// </summary>
        public static readonly InputRules FromThePage = new InputRules(BuiltIn, 800, new[] { 121, 241 }, new Dictionary<string, decimal>
        {
            [Rule.FileSize] = 4.7m,
            [Rule.MaxWidth] = 4096,
            [Rule.MaxHeight] = 4096,
            [Rule.MinWidth] = 320,
            [Rule.MinHeight] = 320,
            [Rule.MaxAspect] = 3,
            [Rule.MinAspect] = 1m / 3,
        });

        /// <summary>Where the rules came from: "built in", or "RunComfy" (the service's schema).</summary>
        public string Source { get; }
        /// <summary>In code points, as the service (a Python API) counts them.</summary>
        public int MaxPromptLength { get; }
        /// <summary>The frame counts offered, the default first.</summary>
        public IReadOnlyList<int> Frames { get; }
        public int DefaultFrames => Frames[0];
        public int MostFrames => Frames.Max();
        /// <summary>The image rules by their schema names (<see cref="Rule"/>), with their values.</summary>
        public IReadOnlyDictionary<string, decimal> Image { get; }
        /// <summary>The service's own message for a rule (its <c>validation_error</c>), where it gave one.</summary>
        public IReadOnlyDictionary<string, string> ServiceWords { get; }
        /// <summary>What the service's schema stated itself (rule names, and "prompt" and "frames"); the rest is the page's.</summary>
        public IReadOnlyCollection<string> Stated { get; }
        /// <summary>Rules of the service's schema this module does not know: the service checks them itself.</summary>
        public IReadOnlyList<string> LeftToService { get; }

        /// <summary>An image file must be smaller than this many bytes.</summary>
        public long MaxImageBytes => (long)(Image[Rule.FileSize] * 1_000_000m);
    }
}
