using System;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using Dreamina.Journal;
using Dreamina.Model;
using Dreamina.Reporting;
using Dreamina.Service;

namespace Dreamina.Pricing
{
    /// <summary>What a Start-DreaminaVideo call knows of money before its first job: the price, the balance, and its limits.</summary>
    internal static class SpendSetup
    {
        /// <summary>The longest the balance is waited for: it only feeds a warning.</summary>
        public static readonly TimeSpan BalanceBudget = TimeSpan.FromSeconds(3);
        /// <summary>The longest the price is waited for: without limits it only feeds the estimates.</summary>
        public static readonly TimeSpan PriceBudget = TimeSpan.FromSeconds(5);

        /// <summary>
        /// Reads the price (cached for the session) and starts reading the balance (once per call), which the
        /// guard needs only before the first job is sent. Neither is required: without a price jobs get no
        /// estimate, without a balance there is no warning, and each says so once. But the limits need the price:
        /// without it they refuse to submit, unless <paramref name="force"/>.
        /// </summary>
        /// <param name="highestJournaledCost">The highest cost of any job in the journal; read only when a limit is set.</param>
        public static async Task<(ModelPrice? Price, SpendGuard Guard)> PrepareAsync(IAccountApi account, ModelInformationCache prices, DreaminaModel model, decimal? maxCost, decimal? dailyLimit,
            bool force, bool whatIf, IActivityLog log, Func<decimal?> highestJournaledCost, CancellationToken cancel)
        {
            var balance = whatIf ? Task.FromResult<decimal?>(null) : ReadBalanceAsync(account, log, cancel);
            ModelPrice? price = null;
            try
            {
                var reading = prices.GetAsync(account, model, cancel);
                if (await Task.WhenAny(reading, Task.Delay(prices.Left(PriceBudget), cancel)).ConfigureAwait(false) != reading)
                {
                    cancel.ThrowIfCancellationRequested();
                    throw new DreaminaException(ErrorIds.PriceUnavailable, ErrorCategory.OperationTimeout,
                        $"RunComfy did not give the model's information (its price) within {PriceBudget.TotalSeconds:0} s.");
                }
                price = (await reading.ConfigureAwait(false)).Price;
                if (price.Basis == PriceBasis.Unknown)
                {
                    log.Warning(price.BasePriceUsd is null
                        ? "RunComfy publishes no price for this model, so jobs get no cost estimate."
                        : $"RunComfy prices this model per '{price.Unit}', a unit this module does not know, so jobs get no cost estimate (it will not guess).");
                }
            }
            catch (DreaminaException e) when (!BatchErrors.StopsTheBatch(e) || whatIf)
            {
                log.Warning($"The model's price could not be read, so jobs get no cost estimate: {e.Message}");
            }

            if (maxCost is null && dailyLimit is null) return (price, new SpendGuard(null, null, balance, model.HighestCost(price) ?? 0, log));
            var unknownCountsAs = Max(model.HighestCost(price), highestJournaledCost());
            if (price?.Basis is null or PriceBasis.Unknown && !force)
            {
                throw new DreaminaException(ErrorIds.PriceUnavailable, ErrorCategory.InvalidOperation,
                    $"{(maxCost is null ? "The daily limit (Connect-Dreamina -DailySpendLimit)" : "-MaxCost")} cannot be checked without the model's price, which is unknown, so nothing was submitted. " +
                    "Add -Force to submit anyway; jobs of unknown cost then count as the highest cost seen in the journal" + (unknownCountsAs is { } known ? $" ({known:0.00##} USD)." : " (none yet, so as nothing)."));
            }
            var counts = unknownCountsAs ?? 0;
            return (price, new SpendGuard(maxCost, dailyLimit is { } daily ? new DailyLimit(daily, counts) : null, balance, counts, log));
        }

        private static async Task<decimal?> ReadBalanceAsync(IAccountApi account, IActivityLog log, CancellationToken cancel)
        {
            try
            {
                return (await account.GetBalanceAsync(cancel).ConfigureAwait(false)).BalanceUsd;
            }
            catch (DreaminaException e) when (BatchErrors.StopsTheBatch(e))
            {
                // A missing or refused token is the price read's or the submission's error to report: said once.
                return null;
            }
            catch (DreaminaException e)
            {
                log.Warning($"The balance could not be read, so there will be no warning before it runs out: {e.Message}");
                return null;
            }
            catch (OperationCanceledException)
            {
                return null;
            }
        }

        private static decimal? Max(decimal? a, decimal? b) => a is null ? b : b is null ? a : Math.Max(a.Value, b.Value);
    }
}
