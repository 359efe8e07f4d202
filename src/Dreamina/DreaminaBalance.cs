using System;
using System.Globalization;
using System.Management.Automation;
using System.Text.Json;
using Dreamina.Model;

namespace Dreamina
{
    /// <summary>The RunComfy account's balance: the one wallet that funds every Model API job.</summary>
    public sealed class DreaminaBalance
    {
        internal DreaminaBalance(decimal balanceUsd, string currency, DateTimeOffset readAt, Uri source)
        {
            BalanceUsd = balanceUsd;
            Currency = currency;
            ReadAt = readAt;
            Source = source;
        }

        public decimal BalanceUsd { get; }
        public string Currency { get; }
        /// <summary>When the balance was read, in local time.</summary>
        public DateTimeOffset ReadAt { get; }
        /// <summary>The account API that answered.</summary>
        public Uri Source { get; }

        public override string ToString() => string.Format(CultureInfo.InvariantCulture, "{0:0.00##} {1}", BalanceUsd, Currency);

        internal static DreaminaBalance Parse(JsonElement root, Uri source)
        {
            decimal? balance = null;
            if (root.TryGetProperty("balance_usd", out var value))
            {
                if (value.ValueKind == JsonValueKind.Number && value.TryGetDecimal(out var number)) balance = number;
                else if (value.ValueKind == JsonValueKind.String && decimal.TryParse(value.GetString(), NumberStyles.Number, CultureInfo.InvariantCulture, out number)) balance = number;
            }
            if (balance is null)
            {
                throw new DreaminaException(ErrorIds.ProtocolError, ErrorCategory.ProtocolError,
                    $"The account API at {source.Host} answered without a 'balance_usd' it could read; the balance is unknown.");
            }
            var currency = root.TryGetProperty("currency", out var text) && text.ValueKind == JsonValueKind.String && text.GetString() is { Length: > 0 } named ? named : ModelPrice.Usd;
            return new DreaminaBalance(balance.Value, currency, DateTimeOffset.Now, source);
        }
    }
}
