using System;
using System.Globalization;
using System.Management.Automation;
using System.Threading.Tasks;
using Dreamina.Journal;
using Dreamina.Reporting;

namespace Dreamina.Pricing
{
    /// <summary>
    /// One Start-DreaminaVideo call's money: its running estimated total against -MaxCost (checked in input order,
    /// before anything is done for a job), the one warning before sending the job whose total passes the balance,
    /// and the daily limit that the journal checks across processes. A job of unknown cost counts as the highest
    /// price seen.
    /// </summary>
    internal sealed class SpendGuard
    {
        private readonly object _gate = new object();
        private readonly decimal? _maxCost;
        private readonly Task<decimal?> _balance;
        private readonly IActivityLog _log;
        private decimal _total;
        private bool _warned;

        /// <param name="balance">The balance being read (null when it cannot be); jobs are counted in meanwhile.</param>
        public SpendGuard(decimal? maxCost, DailyLimit? daily, Task<decimal?> balance, decimal unknownCostCountsAs, IActivityLog log)
        {
            _maxCost = maxCost;
            Daily = daily;
            _balance = balance;
            UnknownCostCountsAs = unknownCostCountsAs;
            _log = log;
        }

        public DailyLimit? Daily { get; }
        public decimal UnknownCostCountsAs { get; }

        /// <summary>This call's estimated spending so far, jobs not yet sent included.</summary>
        public decimal Total { get { lock (_gate) return _total; } }

        /// <summary>Counts a job in, or says why it would pass -MaxCost (and then counts nothing).</summary>
        /// <param name="job">The job as a message names it (its prompt).</param>
        /// <param name="spendingWithJob">This call's estimated spending with this job counted in.</param>
        public DreaminaException? Take(decimal? cost, string job, out decimal spendingWithJob)
        {
            var counted = cost ?? UnknownCostCountsAs;
            lock (_gate)
            {
                spendingWithJob = _total;
                if (_maxCost is { } max && _total + counted > max)
                {
                    return new DreaminaException(ErrorIds.SpendLimitReached, ErrorCategory.QuotaExceeded, string.Format(CultureInfo.InvariantCulture,
                        "Not submitted: the job {0} ({1}) would take this call's estimated spending from {2:0.00##} to {3:0.00##} USD, past -MaxCost {4:0.00##}. The jobs already submitted go on. Raise -MaxCost to submit more.",
                        job, Money(cost), _total, _total + counted, max));
                }
                _total += counted;
                spendingWithJob = _total;
                return null;
            }
        }

        /// <summary>
        /// Just before a job is sent: once the balance is known, warns once if the spending with this job passes it.
        /// The balance is read while the first images are checked, so waiting for it here rarely costs anything.
        /// </summary>
        public async Task WarnIfPastBalanceAsync(decimal spendingWithJob, string job)
        {
            if (await _balance.ConfigureAwait(false) is not { } balance || spendingWithJob <= balance) return;
            lock (_gate)
            {
                if (_warned) return;
                _warned = true;
            }
            _log.Warning(string.Format(CultureInfo.InvariantCulture,
                "The job {0} takes this call's estimated spending to {1:0.00##} USD, past your RunComfy balance of {2:0.00##} USD: RunComfy will refuse jobs once the balance runs out. Press Ctrl+C to stop here, or top up your balance.",
                job, spendingWithJob, balance));
        }

        /// <summary>A job that was counted in but never sent (its image was rejected, the service refused it).</summary>
        public void GiveBack(decimal? cost)
        {
            lock (_gate) _total -= cost ?? UnknownCostCountsAs;
        }

        internal static string Money(decimal? cost) => cost is { } known ? known.ToString("0.00##", CultureInfo.InvariantCulture) + " USD" : "cost unknown";

        /// <summary>The error for a job the day's limit does not allow.</summary>
        public static DreaminaException DailyLimitReached(SpendDecision decision, decimal? cost, string job)
            => new DreaminaException(ErrorIds.SpendLimitReached, ErrorCategory.QuotaExceeded, string.Format(CultureInfo.InvariantCulture,
                "Not submitted: today's jobs in the journal are estimated at {0:0.00##} USD, and the job {1} ({2}) would pass the daily limit of {3:0.00##} USD set with Connect-Dreamina -DailySpendLimit. The jobs already submitted go on.",
                decision.Spent, job, Money(cost), decision.Limit));
    }
}
