using System;

namespace Dreamina.Waiting
{
    /// <summary>
    /// How many polls may start now: at most ThrottleLimit in flight, and at most MaxPollRate starting per second
    /// (a bucket that holds one second's starts, and at least one). Used under the scheduler's lock.
    /// </summary>
    internal sealed class PollBudget
    {
        private readonly double _rate;
        private readonly int _throttleLimit;
        private double _tokens;
        private DateTime _refilledAt = DateTime.UtcNow;
        private int _inFlight;

        public PollBudget(WaitSettings settings)
        {
            _rate = Math.Max(0.1, settings.MaxPollRate);
            _throttleLimit = settings.ThrottleLimit;
            _tokens = Math.Max(1, settings.MaxPollRate);
        }

        /// <summary>Every request slot is taken: the next start waits for a poll to end.</summary>
        public bool IsFull => _inFlight >= _throttleLimit;

        /// <summary>How long until the rate allows another start.</summary>
        public TimeSpan UntilNextStart => TimeSpan.FromSeconds((1 - _tokens) / _rate);

        public void Refill(DateTime now)
        {
            _tokens = Math.Min(Math.Max(1, _rate), _tokens + (now - _refilledAt).TotalSeconds * _rate);
            _refilledAt = now;
        }

        /// <summary>Takes a start if the throttle and the rate allow one.</summary>
        public bool TryStart()
        {
            if (IsFull || _tokens < 1) return false;
            _tokens -= 1;
            _inFlight++;
            return true;
        }

        public void Finished() => _inFlight--;
    }
}
