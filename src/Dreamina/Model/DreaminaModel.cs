using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;

namespace Dreamina.Model
{
    /// <summary>
    /// The model the module drives, in one place: where it lives at RunComfy, what it accepts (<see cref="InputRules"/>),
    /// the JSON body a job is sent as, how long its videos run, and what a job costs at a published price.
    /// Below everything else: it uses nothing of the module.
    /// </summary>
    internal sealed class DreaminaModel
    {
        private const int FramesPerSecond = 24;

        /// <summary>Dreamina 3.0 Pro image-to-video with the rules of its page.</summary>
        public static readonly DreaminaModel ImageToVideo = new DreaminaModel("bytedance/dreamina-3-0/pro/image-to-video", InputRules.FromThePage);

        public DreaminaModel(string id, InputRules rules)
        {
            Id = id;
            Rules = rules;
        }

        /// <summary>RunComfy's id of the model, as its page and its CLI name it.</summary>
        public string Id { get; }

        /// <summary>The model's address under the Model API: submissions go there, and its information (price, schema) is read there.</summary>
        public string Path => "v1/models/" + Id;

        public InputRules Rules { get; }

        /// <summary>Seconds of video a job of this many frames makes: 121 frames at 24 fps is 5 s, 241 is 10 s.</summary>
        public static int SecondsOf(int frames) => (frames - 1) / FramesPerSecond;

        /// <summary>The frame count offered for a length in seconds, or null when none is.</summary>
        public int? FramesFor(int seconds) => Rules.Frames.Where(f => SecondsOf(f) == seconds).Select(f => (int?)f).FirstOrDefault();

        /// <summary>The lengths offered, in seconds, in the order of <see cref="InputRules.Frames"/>.</summary>
        public IEnumerable<int> Durations => Rules.Frames.Select(SecondsOf);

        /// <summary>The estimated cost of a job of this many frames, or null when the price or its unit is unknown.</summary>
        public static decimal? CostOf(ModelPrice? price, int frames) => price?.CostFor(SecondsOf(frames));

        /// <summary>The most any one job can cost at this price: what a job of unknown cost counts as against a limit.</summary>
        public decimal? HighestCost(ModelPrice? price) => CostOf(price, Rules.MostFrames);

        /// <summary>The body of a submission, as the model's input schema names its fields.</summary>
        /// <param name="image">A URL the service fetches, or the image itself as a data URI.</param>
        public static string Body(string prompt, string image, long seed, int frames) => JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["prompt"] = prompt,
            ["image_urls"] = new[] { image },
            ["seed"] = seed,
            ["frames"] = frames,
        });
    }
}
