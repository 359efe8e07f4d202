using System;
using System.Threading;

namespace Dreamina.Benchmarks;

/// <summary>Samples this process's working set every 10 ms and keeps the peak above where it started.</summary>
internal sealed class PeakSampler : IDisposable
{
    private readonly long _start;
    private readonly Timer _timer;
    private long _peak;

    public PeakSampler()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        _start = Current();
        _peak = _start;
        _timer = new Timer(_ => Sample(), null, 0, 10);
    }

    public double GrowthMb
    {
        get
        {
            Sample();
            return (Interlocked.Read(ref _peak) - _start) / 1048576.0;
        }
    }

    public void Dispose() => _timer.Dispose();

    private void Sample()
    {
        var now = Current();
        long seen;
        while (now > (seen = Interlocked.Read(ref _peak)) && Interlocked.CompareExchange(ref _peak, now, seen) != seen) { }
    }

    // Process.WorkingSet64 reads the stat file of every thread on Linux, which would slow what is measured;
    // /proc/self/statm is one small read (its second field is the resident set in pages).
    private static long Current()
    {
        if (!OperatingSystem.IsLinux()) return Environment.WorkingSet;
        var fields = System.IO.File.ReadAllText("/proc/self/statm").Split(' ');
        return long.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture) * Environment.SystemPageSize;
    }
}
