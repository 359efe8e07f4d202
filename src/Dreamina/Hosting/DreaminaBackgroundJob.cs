using System;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using Dreamina.Reporting;

namespace Dreamina.Hosting
{
    /// <summary>
    /// A Dreamina cmdlet's work running in the background (-AsJob): a real PowerShell job, so Get-Job, Receive-Job,
    /// Wait-Job, Stop-Job and Remove-Job all work. It runs on its own in this process, untouched by Ctrl+C at the
    /// prompt; Stop-Job stops it (a submission already sent is still journaled). Items that fail leave it
    /// Completed with their errors; an error that stops the whole batch (the token, the balance) leaves it Failed.
    /// </summary>
    public sealed class DreaminaBackgroundJob : Job
    {
        public const string TypeName = "DreaminaBackgroundJob";
        private static readonly TimeSpan StopWait = TimeSpan.FromSeconds(10);
        private readonly CancellationTokenSource _stop = new CancellationTokenSource();
        private readonly Redactor _redactor;
        private readonly bool _verbose;
        private readonly bool _debug;

        internal DreaminaBackgroundJob(string command, string? name, Redactor redactor, bool verbose, bool debug)
            : base(command, name)
        {
            PSJobTypeName = TypeName;
            _redactor = redactor;
            _verbose = verbose;
            _debug = debug;
            Streams = new JobStreams(this);
        }

        /// <summary>This job's streams as a sink, usable from any thread.</summary>
        internal IOutputSink Streams { get; }

        public override bool HasMoreData => Output.Count > 0 || Error.Count > 0 || Warning.Count > 0 || Information.Count > 0 || Verbose.Count > 0 || Debug.Count > 0 || Progress.Count > 0;

        public override string Location => Environment.MachineName;

        public override string StatusMessage => JobStateInfo.State.ToString();

        /// <summary>Stops the work and returns once the job is Stopped, as Stop-Job expects (bounded: a stuck job is left stopping).</summary>
        public override void StopJob()
        {
            if (JobStateInfo.State is JobState.Completed or JobState.Failed or JobState.Stopped) return;
            _stop.Cancel();
            Finished.WaitOne(StopWait);
        }

        /// <summary>Runs the work on the thread pool, writing into this job's streams.</summary>
        internal void Start(Func<IOutputSink, CancellationToken, Task> work)
        {
            PSBeginTime = DateTime.Now;
            SetJobState(JobState.Running);
            Task.Run(async () =>
            {
                var state = JobState.Completed;
                try
                {
                    await work(Streams, _stop.Token).ConfigureAwait(false);
                    if (_stop.IsCancellationRequested) state = JobState.Stopped;
                }
                catch (OperationCanceledException) when (_stop.IsCancellationRequested)
                {
                    state = JobState.Stopped;
                }
                catch (DreaminaException e)
                {
                    Error.Add(_redactor.Redact(e.ToErrorRecord(null)));
                    state = JobState.Failed;
                }
                catch (Exception e)
                {
                    // Anything unforeseen still ends the job, with its reason: a job never stays Running for ever.
                    Error.Add(_redactor.Redact(new ErrorRecord(e, "DreaminaBackgroundJobFailed", ErrorCategory.NotSpecified, null)));
                    state = JobState.Failed;
                }
                PSEndTime = DateTime.Now;
                SetJobState(state);
            });
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _stop.Cancel();
                _stop.Dispose();
            }
            base.Dispose(disposing);
        }

        /// <summary>The job's thread-safe streams as a sink, every text redacted; verbose and debug only when they were asked for.</summary>
        private sealed class JobStreams : IOutputSink
        {
            private readonly DreaminaBackgroundJob _job;

            public JobStreams(DreaminaBackgroundJob job) => _job = job;

            public void Output(object item) => _job.Output.Add(PSObject.AsPSObject(item));
            public void Error(DreaminaException error, object? target) => _job.Error.Add(_job._redactor.Redact(error.ToErrorRecord(target)));
            public void Progress(ProgressRecord record) => _job.Progress.Add(_job._redactor.Redact(record));
            public void Warning(string message) => _job.Warning.Add(new WarningRecord(_job._redactor.Redact(message)));
            public void Information(string message) => _job.Information.Add(new InformationRecord(_job._redactor.Redact(message), "Dreamina"));

            public void Verbose(string message)
            {
                if (_job._verbose) _job.Verbose.Add(new VerboseRecord(_job._redactor.Redact(message)));
            }

            public void Debug(string message)
            {
                if (_job._debug) _job.Debug.Add(new DebugRecord(_job._redactor.Redact(message)));
            }
        }
    }
}
