using System;
using System.Globalization;
using System.Text.Json;

namespace Dreamina.Model
{
    /// <summary>What one unit of the model's price is for, as <c>price_unit</c> says.</summary>
    public enum PriceBasis
    {
        /// <summary>A unit the module does not know: no estimate is made.</summary>
        Unknown,
        /// <summary>Per request, output or video: each job costs the price.</summary>
        PerJob,
        /// <summary>Per second of video: a job costs the price times its length.</summary>
        PerSecond,
    }

    /// <summary>The model's price as RunComfy publishes it (<c>GET /v1/models/{model_id}</c>), and what a job costs at it.</summary>
    public sealed class ModelPrice
    {
        public const string Usd = "USD";

        internal ModelPrice(decimal? basePriceUsd, string? unit, DateTimeOffset readAt)
        {
            BasePriceUsd = basePriceUsd;
            Unit = unit;
            ReadAt = readAt;
            Basis = basePriceUsd is null ? PriceBasis.Unknown : BasisOf(unit);
        }

        /// <summary><c>base_price_usd</c>; null when the service gave none.</summary>
        public decimal? BasePriceUsd { get; }
        /// <summary><c>price_unit</c>, as the service spelled it.</summary>
        public string? Unit { get; }
        public PriceBasis Basis { get; }
        public DateTimeOffset ReadAt { get; }
        public string Currency => Usd;

        /// <summary>The estimated cost of a job that makes this many seconds of video, or null when the price or its unit is unknown.</summary>
        public decimal? CostFor(int seconds) => (Basis, BasePriceUsd) switch
        {
            (PriceBasis.PerJob, { } price) => price,
            (PriceBasis.PerSecond, { } price) => price * seconds,
            _ => null,
        };

        public override string ToString() => BasePriceUsd is { } price
            ? string.Format(CultureInfo.InvariantCulture, "${0}/{1}", price, Unit ?? "?")
            : "no price published";

        internal static ModelPrice Parse(JsonElement root)
        {
            decimal? price = null;
            if (root.TryGetProperty("base_price_usd", out var value))
            {
                if (value.ValueKind == JsonValueKind.Number && value.TryGetDecimal(out var number)) price = number;
                else if (value.ValueKind == JsonValueKind.String && decimal.TryParse(value.GetString(), NumberStyles.Number, CultureInfo.InvariantCulture, out number)) price = number;
            }
            if (price < 0) price = null;
            var unit = root.TryGetProperty("price_unit", out var unitValue) && unitValue.ValueKind == JsonValueKind.String ? unitValue.GetString() : null;
            return new ModelPrice(price, unit, DateTimeOffset.Now);
        }

        private static PriceBasis BasisOf(string? unit) => unit?.Trim().TrimStart('/').ToLowerInvariant() switch
        {
            "request" or "requests" or "output" or "outputs" or "job" or "generation" or "video" or "run" => PriceBasis.PerJob,
            "second" or "seconds" or "sec" or "s" => PriceBasis.PerSecond,
            _ => PriceBasis.Unknown,
        };
    }
}
