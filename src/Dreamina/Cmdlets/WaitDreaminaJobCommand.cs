using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using Dreamina.Hosting;
using Dreamina.Reporting;
using Dreamina.Waiting;

namespace Dreamina.Commands
{
    /// <summary>Waits for jobs and emits each one downstream the moment it finishes; failed jobs become errors.</summary>
    [Cmdlet(VerbsLifecycle.Wait, "DreaminaJob", DefaultParameterSetName = ByJob)]
    [OutputType(typeof(DreaminaJob), typeof(DreaminaBackgroundJob))]
    public sealed class WaitDreaminaJobCommand : DreaminaJobCmdlet
    {
        private readonly List<DreaminaJob> _forJob = new List<DreaminaJob>();
        private WaitRun? _run;
        private DateTime? _deadline;

        /// <summary>Seconds to wait in all; -1 (the default) waits as long as it takes. Unfinished jobs are not emitted.</summary>
        [Parameter]
        [ValidateRange(-1, int.MaxValue)]
        public int Timeout { get; set; } = -1;

        /// <summary>Return as soon as any one job finishes.</summary>
        [Parameter]
        public SwitchParameter Any { get; set; }

        /// <summary>Seconds between status checks of a job that may have finished (RunComfy's CLI uses 2).</summary>
        [Parameter]
        [ValidateRange(0.05, 600)]
        public double PollInterval { get; set; } = 2;

        /// <summary>Most status requests in flight at once; the session's ThrottleLimit unless given.</summary>
        [Parameter]
        [ValidateRange(1, 256)]
        public int? ThrottleLimit { get; set; }

        /// <summary>Most status requests per second, across all jobs.</summary>
        [Parameter]
        [ValidateRange(0.1, 1000)]
        public double? MaxPollRate { get; set; }

        [Parameter]
        public SwitchParameter AsJob { get; set; }

        protected override void BeginProcessing()
        {
            base.BeginProcessing();
            if (Timeout >= 0) _deadline = DateTime.UtcNow.AddSeconds(Timeout);
            if (!AsJob) _run = NewRun(this, Cancellation);
        }

        protected override void ProcessRecord()
        {
            foreach (var job in Jobs)
            {
                if (AsJob) _forJob.Add(job);
                else _run!.Add(job);
            }
            // Emit whatever has finished meanwhile, so downloads downstream start while upstream still submits.
            Drain();
            if (_run?.Fatal is { } fatal) ThrowTerminatingError(fatal.ToErrorRecord(null));
        }

        protected override void EndProcessing()
        {
            if (AsJob)
            {
                StartBackgroundJob(async (sink, stop) =>
                {
                    using var run = NewRun(sink, stop);
                    foreach (var job in _forJob) run.Add(job);
                    run.Close();
                    var waiting = Any ? run.FirstFinished : run.AllFinished;
                    var limit = _deadline is { } deadline ? Max(deadline - DateTime.UtcNow, TimeSpan.Zero) : System.Threading.Timeout.InfiniteTimeSpan;
                    await Task.WhenAny(waiting, Task.Delay(limit, stop)).ConfigureAwait(false);
                    run.Stop();
                    if (run.Fatal is { } fatal) throw fatal;
                });
                return;
            }
            try
            {
                _run!.Close();
                if (!AwaitUntil(Any ? _run.FirstFinished : _run.AllFinished, _deadline))
                {
                    WriteVerbose($"Stopped waiting at the time limit; {_run.Unfinished.Count} job(s) still running at RunComfy: {string.Join(", ", _run.Unfinished)}.");
                }
                if (_run.Fatal is { } fatal) ThrowTerminatingError(fatal.ToErrorRecord(null));
            }
            finally
            {
                _run!.Stop();
                _run.Dispose();
            }
        }

        private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

        private WaitRun NewRun(IOutputSink sink, CancellationToken cancel) => Engine.NewWaitRun(TimeSpan.FromSeconds(PollInterval), ThrottleLimit, MaxPollRate, sink, cancel);
    }
}
