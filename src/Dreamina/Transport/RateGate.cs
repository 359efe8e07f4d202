using System;
using System.Threading;
using System.Threading.Tasks;

namespace Dreamina.Transport
{
    /// <summary>
    /// One gate per session for everything sent to RunComfy: when the service says "too many requests" and how
    /// long to wait, every sender waits, not just the one that was told.
    /// </summary>
    internal sealed class RateGate
    {
        private long _closedUntilTicks;

        /// <summary>How long senders are still held back; zero when the gate is open.</summary>
        public TimeSpan Remaining
        {
            get
            {
                var left = Interlocked.Read(ref _closedUntilTicks) - DateTime.UtcNow.Ticks;
                return left > 0 ? TimeSpan.FromTicks(left) : TimeSpan.Zero;
            }
        }

        public void CloseFor(TimeSpan wait)
        {
            if (wait <= TimeSpan.Zero) return;
            var until = DateTime.UtcNow.Add(wait).Ticks;
            long seen;
            while (until > (seen = Interlocked.Read(ref _closedUntilTicks)) && Interlocked.CompareExchange(ref _closedUntilTicks, until, seen) != seen) { }
        }

        public async Task WaitAsync(CancellationToken cancel)
        {
            TimeSpan left;
            while ((left = Remaining) > TimeSpan.Zero) await Task.Delay(left, cancel).ConfigureAwait(false);
        }
    }
}
