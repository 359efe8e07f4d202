using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Dreamina.Model;

namespace Dreamina
{
    /// <summary>The model jobs go to, as Get-DreaminaModel shows it: its name, its price, and the rules inputs are checked against, each with where it came from.</summary>
    public sealed class DreaminaModelInfo
    {
        private DreaminaModelInfo(DreaminaModel model, ModelInformation? information)
        {
            Id = model.Id;
            Name = information?.Name;
            PriceUsd = information?.Price.BasePriceUsd;
            PriceUnit = information?.Price.Unit;
            var rules = model.Rules;
            RulesFrom = rules.Source;
            MaxPromptLength = rules.MaxPromptLength;
            Frames = rules.Frames.ToArray();
            string From(string rule) => rules.Stated.Contains(rule) ? InputRules.FromService : InputRules.BuiltIn;
            Rules = new[]
                {
                    new DreaminaModelRule("prompt maxLength", rules.MaxPromptLength.ToString(CultureInfo.InvariantCulture), From("prompt"), null),
                    new DreaminaModelRule("frames enum", string.Join(", ", rules.Frames), From("frames"), null),
                }
                .Concat(rules.Image.Select(r => new DreaminaModelRule(r.Key, r.Value.ToString("0.####", CultureInfo.InvariantCulture), From(r.Key), rules.ServiceWords.TryGetValue(r.Key, out var words) ? words : null)))
                .Concat(rules.LeftToService.Select(r => new DreaminaModelRule(r, "", InputRules.FromService + " (checked by the service only)", null)))
                .ToArray();
        }

        /// <summary>RunComfy's id of the model.</summary>
        public string Id { get; }
        /// <summary>Its display name, as the service gives it.</summary>
        public string? Name { get; }
        /// <summary><c>base_price_usd</c>; empty when the model's information could not be read or has no price.</summary>
        public decimal? PriceUsd { get; }
        /// <summary><c>price_unit</c>: what one unit of the price is for (request, second, ...).</summary>
        public string? PriceUnit { get; }
        /// <summary>Where the rules came from: RunComfy (the model's live schema) or built in (the model's page).</summary>
        public string RulesFrom { get; }
        public int MaxPromptLength { get; }
        /// <summary>The frame counts offered, the default first.</summary>
        public int[] Frames { get; }
        public DreaminaModelRule[] Rules { get; }

        internal static DreaminaModelInfo Of(DreaminaModel model, ModelInformation? information) => new DreaminaModelInfo(model, information);

        public override string ToString() => $"{Id} (rules {RulesFrom})";
    }

    /// <summary>One rule inputs are checked against.</summary>
    public sealed class DreaminaModelRule
    {
        internal DreaminaModelRule(string name, string value, string from, string? message)
        {
            Name = name;
            Value = value;
            From = from;
            Message = message;
        }

        /// <summary>The rule as the service's schema names it (file_size_mb&lt;, width_pixels&lt;=, ...).</summary>
        public string Name { get; }
        public string Value { get; }
        /// <summary>RunComfy, or built in.</summary>
        public string From { get; }
        /// <summary>The service's own words for it (its validation_error), when it gave them.</summary>
        public string? Message { get; }

        public override string ToString() => $"{Name} {Value}";
    }
}
