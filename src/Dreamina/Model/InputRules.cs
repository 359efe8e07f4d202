using System.Collections.Generic;
using System.Linq;

namespace Dreamina.Model
{
    /// <summary>
    /// What the model accepts, as data: the checks in Input/ are made from it. The page's rules are built in; the
    /// service's schema (<c>GET /v1/models/{id}</c>) can supply another set, and these stay the fallback.
    /// </summary>
    internal sealed class InputRules
    {
        public InputRules(string source, int maxPromptLength, IReadOnlyList<int> frames, long maxImageBytes, int minSideExclusive, int maxSide, double maxRatioExclusive)
        {
            Source = source;
            MaxPromptLength = maxPromptLength;
            Frames = frames;
            MaxImageBytes = maxImageBytes;
            MinSideExclusive = minSideExclusive;
            MaxSide = maxSide;
            MaxRatioExclusive = maxRatioExclusive;
        }

        /// <summary>
        /// The model page's rules. "Less than 4.7 MB" is read as decimal megabytes, the stricter reading, so
        /// nothing sent can fail it.
        /// </summary>
        public static readonly InputRules FromThePage = new InputRules("built in", 800, new[] { 121, 241 }, 4_700_000, 320, 4096, 3.0);

        /// <summary>Where the rules came from: "built in", or the service.</summary>
        public string Source { get; }
        /// <summary>In code points, as the service (a Python API) counts them.</summary>
        public int MaxPromptLength { get; }
        /// <summary>The frame counts offered, the default first.</summary>
        public IReadOnlyList<int> Frames { get; }
        public int DefaultFrames => Frames[0];
        public int MostFrames => Frames.Max();
        /// <summary>An image file must be smaller than this.</summary>
        public long MaxImageBytes { get; }
        /// <summary>Each side must be longer than this.</summary>
        public int MinSideExclusive { get; }
        public int MaxSide { get; }
        /// <summary>The long side must be less than this many times the short side.</summary>
        public double MaxRatioExclusive { get; }
    }
}
