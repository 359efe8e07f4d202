using System;
using System.Management.Automation;
using System.Threading;

namespace Dreamina.Reporting
{
    /// <summary>
    /// One progress bar of a long piece of work, shown through its sink from any thread: at most four updates a
    /// second, except the ones that must not be skipped (a job finished, a file saved), and cleared at the end.
    /// </summary>
    internal sealed class ProgressLine
    {
        private static readonly long EveryTicks = TimeSpan.FromMilliseconds(250).Ticks;
        private readonly IOutputSink _sink;
        private readonly int _id;
        private readonly string _activity;
        private long _lastTicks;

        public ProgressLine(IOutputSink sink, int id, string activity)
        {
            _sink = sink;
            _id = id;
            _activity = activity;
        }

        /// <summary>Whether to show an update now: always when <paramref name="force"/>, else once the last is 250 ms old (one caller wins).</summary>
        public bool IsDue(bool force)
        {
            var now = DateTime.UtcNow.Ticks;
            var last = Interlocked.Read(ref _lastTicks);
            if (force)
            {
                Interlocked.Exchange(ref _lastTicks, now);
                return true;
            }
            return now - last >= EveryTicks && Interlocked.CompareExchange(ref _lastTicks, now, last) == last;
        }

        /// <param name="percent">0-100, or -1 when unknown.</param>
        /// <param name="secondsLeft">-1 when unknown.</param>
        public void Show(string status, int percent, int secondsLeft)
            => _sink.Progress(new ProgressRecord(_id, _activity, status) { PercentComplete = percent, SecondsRemaining = secondsLeft });

        public void Complete() => _sink.Progress(new ProgressRecord(_id, _activity, "Done") { RecordType = ProgressRecordType.Completed });
    }
}
