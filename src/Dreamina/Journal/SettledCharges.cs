using System.Collections.Concurrent;
using System.Collections.Generic;

namespace Dreamina.Journal
{
    /// <summary>
    /// Which jobs' charges this process has already settled at their actual cost, so that a job recorded many times
    /// after RunComfy said what it charged settles once (settling again, from another process, changes nothing).
    /// </summary>
    internal sealed class SettledCharges
    {
        private readonly ConcurrentDictionary<string, decimal> _settled = new ConcurrentDictionary<string, decimal>();

        /// <summary>The jobs with an actual cost not settled yet, now marked as settled.</summary>
        public List<DreaminaJob> Unsettled(IEnumerable<DreaminaJob> jobs)
        {
            var due = new List<DreaminaJob>();
            foreach (var job in jobs)
            {
                if (job.ActualCost is not { } actual || (job.ClientId ?? job.RequestId) is not { } key) continue;
                if (_settled.TryGetValue(key, out var was) && was == actual) continue;
                _settled[key] = actual;
                due.Add(job);
            }
            return due;
        }
    }
}
