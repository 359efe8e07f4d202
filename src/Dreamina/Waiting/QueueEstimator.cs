using System;
using System.Collections.Generic;
using System.Linq;

namespace Dreamina.Waiting
{
    /// <summary>
    /// What RunComfy's queue has shown so far, turned into expectations: how long a job runs once it starts
    /// (from jobs seen starting and finishing), and how fast the queue moves (positions dropped per second).
    /// Times are estimates; the scheduler uses them to decide when a poll is worth making.
    /// </summary>
    internal sealed class QueueEstimator
    {
        private const int Samples = 40;
        private static readonly TimeSpan RateWindow = TimeSpan.FromSeconds(60);
        private readonly object _gate = new object();
        private readonly List<TimeSpan> _runTimes = new List<TimeSpan>();
        private readonly Queue<(DateTime At, double Positions, double Seconds)> _moves = new Queue<(DateTime, double, double)>();
        private readonly Queue<(DateTime At, double Rate)> _leftQueue = new Queue<(DateTime, double)>();

        /// <summary>
        /// A job seen running is expected to run at least this long: a low quartile of what jobs took, or null
        /// before three finished (one job, perhaps unlike the rest, is no measure).
        /// </summary>
        public TimeSpan? RunTime
        {
            get
            {
                lock (_gate)
                {
                    if (_runTimes.Count < 3) return null;
                    var sorted = _runTimes.OrderBy(t => t).ToList();
                    return sorted[(sorted.Count - 1) / 4];
                }
            }
        }

        /// <summary>
        /// Queue positions gained per second, over the last minute; null until a job was seen queued twice or seen
        /// leaving the queue. A queue seen standing still has moved less than one position in the longest stretch it
        /// was watched, and that bound is the estimate; a job that left the queue from position p within t seconds
        /// shows that the queue moved at least p/t, and the estimate is never below that.
        /// </summary>
        public double? DrainRate
        {
            get
            {
                lock (_gate)
                {
                    double? measured = null;
                    if (_moves.Count > 0)
                    {
                        var positions = _moves.Sum(m => m.Positions);
                        measured = positions > 0 ? positions / _moves.Sum(m => m.Seconds) : 1 / _moves.Max(m => m.Seconds);
                    }
                    double? atLeast = _leftQueue.Count > 0 ? _leftQueue.Max(l => l.Rate) : null;
                    return measured is { } m && atLeast is { } l ? Math.Max(m, l) : measured ?? atLeast;
                }
            }
        }

        /// <summary>A job that was seen running, then finished.</summary>
        public void Finished(TimeSpan ranFor)
        {
            if (ranFor <= TimeSpan.Zero) return;
            lock (_gate)
            {
                _runTimes.Add(ranFor);
                if (_runTimes.Count > Samples) _runTimes.RemoveAt(0);
            }
        }

        /// <summary>A job's queue position, seen twice while it was queued: how far it moved (maybe not at all) and in how long.</summary>
        public void Moved(int from, int to, TimeSpan between, DateTime now)
        {
            if (between <= TimeSpan.Zero || to > from) return;
            lock (_gate)
            {
                _moves.Enqueue((now, from - to, between.TotalSeconds));
                while (_moves.Count > 0 && now - _moves.Peek().At > RateWindow) _moves.Dequeue();
            }
        }

        /// <summary>A job seen queued at a position, and next seen out of the queue (running or finished) this much later.</summary>
        public void Left(int from, TimeSpan within, DateTime now)
        {
            if (within <= TimeSpan.Zero) return;
            lock (_gate)
            {
                _leftQueue.Enqueue((now, from / within.TotalSeconds));
                while (_leftQueue.Count > 0 && now - _leftQueue.Peek().At > RateWindow) _leftQueue.Dequeue();
            }
        }

        /// <summary>Roughly how long until a job at this queue position has started (position 1 is next).</summary>
        public TimeSpan? UntilStart(int position) => DrainRate is { } rate ? TimeSpan.FromSeconds(position / rate) : null;
    }
}
