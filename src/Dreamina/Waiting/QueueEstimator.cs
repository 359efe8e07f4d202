using System;
using System.Collections.Generic;
using System.Linq;

namespace Dreamina.Waiting
{
    /// <summary>
    /// What RunComfy's queue has shown so far, turned into expectations: how long a job runs once it starts
    /// (from jobs seen starting and finishing), how fast the queue moves (positions dropped per second), and
    /// since when it has stood still. Times are estimates; the scheduler uses them to decide when a poll is
    /// worth making.
    /// </summary>
    internal sealed class QueueEstimator
    {
        private const int Samples = 40;
        private static readonly TimeSpan RateWindow = TimeSpan.FromSeconds(60);
        private readonly object _gate = new object();
        private readonly List<TimeSpan> _runTimes = new List<TimeSpan>();
        private readonly Queue<(DateTime At, double Positions, double Seconds)> _moves = new Queue<(DateTime, double, double)>();
        // The sums over _moves, kept as they change: the rate is read for every job on every progress update.
        private double _positions;
        private double _seconds;
        private DateTime? _standingSince;
        private DateTime? _lastSeenStill;
        private DateTime? _lastSeenMoving;

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
        /// Queue positions gained per second, over the last minute; null until a job was seen queued twice with the
        /// queue moving in between. How fast a queue will move is unknown while it stands still.
        /// </summary>
        public double? DrainRate
        {
            get { lock (_gate) return _positions > 0 ? _positions / _seconds : null; }
        }

        /// <summary>Since when the queue has been seen standing still (no job moved forward or left it), or null while it moves.</summary>
        public DateTime? StandingSince
        {
            get { lock (_gate) return _standingSince; }
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
                // Each answer counts only from the latest news to the contrary: a queue seen moving after this job
                // was last asked stood still, at most, since then (answers cross on the way, and one that left the
                // server before the queue moved arrives after it); one seen still moved, at most, since then.
                // Counting the whole time would make a queue that starts moving look slow.
                var contrary = to == from ? _lastSeenMoving : _lastSeenStill;
                if (contrary is { } seen && seen > now - between) between = now - seen;
                if (to == from)
                {
                    _lastSeenStill = now;
                    if (between <= TimeSpan.Zero) return;
                    _standingSince ??= now - between;
                }
                else
                {
                    _lastSeenMoving = now;
                    _standingSince = null;
                    if (between <= TimeSpan.Zero) return;
                }
                Add((now, from - to, between.TotalSeconds));
                while (_moves.Count > 0 && now - _moves.Peek().At > RateWindow)
                {
                    var old = _moves.Dequeue();
                    _positions -= old.Positions;
                    _seconds -= old.Seconds;
                }
            }
        }

        /// <summary>A job seen queued, and next seen out of the queue (running or finished): the queue moved.</summary>
        public void Left(DateTime now)
        {
            lock (_gate)
            {
                _standingSince = null;
                _lastSeenMoving = now;
            }
        }

        /// <summary>
        /// The queue moves again after standing still for long: the time it stood says nothing of how fast it moves
        /// now, and counted in, it would make a queue that drains fast look slow.
        /// </summary>
        public void ForgetStandingStill()
        {
            lock (_gate)
            {
                var moving = _moves.Where(m => m.Positions > 0).ToList();
                _moves.Clear();
                _positions = _seconds = 0;
                foreach (var move in moving) Add(move);
            }
        }

        // Called under the lock.
        private void Add((DateTime At, double Positions, double Seconds) move)
        {
            _moves.Enqueue(move);
            _positions += move.Positions;
            _seconds += move.Seconds;
        }

        /// <summary>Roughly how long until a job at this queue position has started (position 1 is next).</summary>
        public TimeSpan? UntilStart(int position) => DrainRate is { } rate ? TimeSpan.FromSeconds(position / rate) : null;
    }
}
