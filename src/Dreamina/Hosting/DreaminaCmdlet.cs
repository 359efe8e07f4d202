using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using Dreamina.Configuration;
using Dreamina.Input;
using Dreamina.Journal;
using Dreamina.Pricing;
using Dreamina.Transport;
using Dreamina.Reporting;
using Dreamina.Service;
using Dreamina.Submission;
using Dreamina.Upload;
using Dreamina.Waiting;

namespace Dreamina.Hosting
{
    /// <summary>
    /// What every Dreamina cmdlet shares: one cancellation source, cancelled by Ctrl+C; an inbox through which
    /// background work hands results and messages to the pipeline thread, the only thread allowed to Write; and
    /// the redaction of everything written, whichever thread it came from.
    /// </summary>
    public abstract class DreaminaCmdlet : PSCmdlet, IOutputSink, IDisposable
    {
        private readonly CancellationTokenSource _cancellation = new CancellationTokenSource();
        private readonly BlockingCollection<Action> _inbox = new BlockingCollection<Action>();
        private int _pipelineThread;
        private DreaminaSession? _session;
        private RunComfyClient? _client;
        private RelaySink? _relay;
        private Dictionary<string, DreaminaJob>? _journaled;

        internal CancellationToken Cancellation => _cancellation.Token;

        internal DreaminaSession Session => _session ??= DreaminaSession.Current;

        /// <summary>Where everything made for this call writes: this pipeline, or the background job it hands its work to.</summary>
        internal RelaySink Relay => _relay ??= new RelaySink(this);

        internal RunComfyClient Client => _client ??= Session.CreateClient(Relay);

        internal IJobJournal Journal => Session.Journal;

        protected override void BeginProcessing()
        {
            _pipelineThread = Thread.CurrentThread.ManagedThreadId;
            _session = DreaminaSession.Current;
        }

        protected override void StopProcessing() => _cancellation.Cancel();

        /// <summary>Queues work for the pipeline thread; callable from any thread.</summary>
        internal void Post(Action work)
        {
            try
            {
                _inbox.Add(work);
            }
            catch (Exception e) when (e is ObjectDisposedException or InvalidOperationException)
            {
                // The cmdlet has finished: late news from a cancelled background task has nowhere to go.
            }
        }

        /// <summary>Runs posted work on the pipeline thread until <paramref name="done"/> holds or the deadline passes (false).</summary>
        internal bool PumpUntil(Func<bool> done, DateTime? deadlineUtc)
        {
            try
            {
                while (!done())
                {
                    var wait = Timeout.Infinite;
                    if (deadlineUtc is { } deadline)
                    {
                        var left = deadline - DateTime.UtcNow;
                        if (left <= TimeSpan.Zero) return false;
                        wait = (int)Math.Min(int.MaxValue, Math.Ceiling(left.TotalMilliseconds));
                    }
                    if (_inbox.TryTake(out var work, wait, Cancellation)) work();
                }
                return true;
            }
            catch (OperationCanceledException) when (Cancellation.IsCancellationRequested)
            {
                throw new PipelineStoppedException();
            }
        }

        /// <summary>Runs whatever work is already posted, without waiting.</summary>
        internal void Drain()
        {
            while (_inbox.TryTake(out var work)) work();
        }

        /// <summary>Waits for a task on the pipeline thread, running posted work (output, verbose messages, progress) meanwhile.</summary>
        internal void Await(Task task) => AwaitUntil(task, null);

        /// <summary>As <see cref="Await(Task)"/>, but gives up at the deadline: false when the task had not finished.</summary>
        internal bool AwaitUntil(Task task, DateTime? deadlineUtc)
        {
            task.ContinueWith(_ => Post(() => { }), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            var finished = PumpUntil(() => task.IsCompleted, deadlineUtc);
            Drain();
            if (!finished) return false;
            try
            {
                task.GetAwaiter().GetResult();
                return true;
            }
            catch (OperationCanceledException) when (Cancellation.IsCancellationRequested)
            {
                throw new PipelineStoppedException();
            }
        }

        internal T Await<T>(Task<T> task)
        {
            Await((Task)task);
            return task.Result;
        }

        /// <summary>Runs a piece of work on the pipeline thread (user script must run there) and hands back its result; any thread.</summary>
        internal Task<object?> OnPipelineThreadAsync(Func<object?> work)
        {
            var done = new TaskCompletionSource<object?>(TaskCreationOptions.RunContinuationsAsynchronously);
            OnPipelineThread(() =>
            {
                try { done.TrySetResult(work()); }
                catch (Exception e) { done.TrySetException(e); }
            });
            return done.Task;
        }

        /// <summary>
        /// Hands the work to a background job (-AsJob) registered with PowerShell's job manager, writes the job, and
        /// returns at once. The work must capture on the pipeline thread whatever it needs from the session.
        /// </summary>
        internal void StartBackgroundJob(Func<IOutputSink, CancellationToken, Task> work)
        {
            var job = new DreaminaBackgroundJob(MyInvocation.Line.Trim(), null, Session.Redactor, Wants("Verbose", "VerbosePreference"), Wants("Debug", "DebugPreference"));
            JobRepository.Add(job);
            // From here on, what this call made (client, spend guard, uploader) writes into the job, not to this finished cmdlet.
            Relay.SwitchTo(job.Streams);
            job.Start(work);
            WriteObject(job);
        }

        /// <summary>Whether -WhatIf is in force, by the switch or by $WhatIfPreference.</summary>
        internal bool WhatIfRequested => MyInvocation.BoundParameters.ContainsKey("WhatIf") || (GetVariableValue("WhatIfPreference") is SwitchParameter { IsPresent: true } or true);

        /// <summary>Images checked, and local files uploaded to the session's image store, with this call's limits.</summary>
        internal ImagePreparer NewImagePreparer(bool skipRemoteCheck)
        {
            var settings = Session.Settings;
            var store = ImageStores.Choose(settings.ImageStore, settings.ImageUploader, Session.ContentHttp, settings.Retry, Relay, OnPipelineThreadAsync);
            return new ImagePreparer(new ImageInspector(Session.ContentHttp, settings.Retry.RequestTimeout), store, skipRemoteCheck);
        }

        /// <summary>A submission run wired to this session: its API, prices, journal, limits and where its output goes.</summary>
        internal SubmissionRun NewSubmissionRun(SubmissionOptions options, bool skipImageCheck)
        {
            var settings = Session.Settings;
            options.DailyLimit = settings.DailySpendLimit;
            options.WaitSettings = new WaitSettings { ThrottleLimit = settings.ThrottleLimit, MaxPollRate = settings.MaxPollRate, UnreachableLimit = settings.UnreachableTimeout };
            options.ServiceUri = settings.BaseUri;
            // Price and balance only inform: one try each, bounded, so that an account API that stalls never holds paid work back.
            var advisory = Client.WithRetry(new RetryPolicy { MaxRetries = 0, RequestTimeout = SpendSetup.BalanceBudget, ConnectTimeout = SpendSetup.BalanceBudget });
            return new SubmissionRun(Client, advisory, Session.Prices, Journal, NewImagePreparer(skipImageCheck), Session.Redactor, options, Relay);
        }

        // Whether a stream was asked for, by its switch or by the caller's preference variable.
        private bool Wants(string parameter, string preference)
            => MyInvocation.BoundParameters.TryGetValue(parameter, out var value) ? value is SwitchParameter { IsPresent: true } or true
                : GetVariableValue(preference) is ActionPreference chosen && chosen is not (ActionPreference.SilentlyContinue or ActionPreference.Ignore);

        /// <summary>The files a wildcard path matches, in this PowerShell location; none when it matches nothing.</summary>
        internal List<string> Matching(string pattern)
        {
            try
            {
                return SessionState.Path.GetResolvedProviderPathFromPSPath(pattern, out _).Where(System.IO.File.Exists).ToList();
            }
            catch (ItemNotFoundException)
            {
                return new List<string>();
            }
        }

        /// <summary>Jobs named by the -Job or -RequestId parameter; a bare request id is filled in from the journal when it is there.</summary>
        internal IEnumerable<DreaminaJob> InputJobs(DreaminaJob[]? jobs, string[]? requestIds)
        {
            if (jobs is not null)
            {
                foreach (var job in jobs) if (job is not null) yield return job;
                yield break;
            }
            foreach (var id in requestIds ?? Array.Empty<string>())
            {
                if (string.IsNullOrWhiteSpace(id)) continue;
                yield return Journaled.TryGetValue(id.Trim(), out var known) ? known : new DreaminaJob(id.Trim()) { ServiceUri = Session.Settings.BaseUri };
            }
        }

        // The journal read once per call, so a thousand piped ids do not read it a thousand times.
        private Dictionary<string, DreaminaJob> Journaled => _journaled ??= ReadJournalOrWarn()
            .Where(j => j.RequestId is not null).ToDictionary(j => j.RequestId!);

        internal List<DreaminaJob> ReadJournalOrWarn()
        {
            try
            {
                return Journal.Read(WriteWarning);
            }
            catch (DreaminaException e)
            {
                WriteWarning(e.Message);
                return new List<DreaminaJob>();
            }
        }

        /// <summary>
        /// Records a change to a job that was already journaled when it was submitted: if this write fails, the
        /// job is still known by its request id, so a warning says what was not kept.
        /// </summary>
        internal void Remember(DreaminaJob job)
        {
            try
            {
                Journal.RecordAsync(job).GetAwaiter().GetResult();
            }
            catch (DreaminaException e)
            {
                WriteWarning($"The latest state of job {job.RequestId} was not written to the journal: {e.Message}");
            }
        }

        /// <summary>A missing or rejected token, or an empty balance, fails every later item too: stop the pipeline.</summary>
        internal void Fail(DreaminaException error, object? target)
        {
            if (BatchErrors.StopsTheBatch(error)) ThrowTerminatingError(error.ToErrorRecord(target));
            WriteError(error.ToErrorRecord(target));
        }

        /// <summary>Asks ShouldProcess with text that has passed the redactor, and says whether -WhatIf answered.</summary>
        internal bool ShouldProcessRedacted(string target, string action, out bool whatIf)
        {
            // The words ShouldProcess(target, action) uses, with the overload that says whether -WhatIf answered.
            var description = $"Performing the operation \"{action}\" on target \"{Session.Redactor.Redact(target)}\".";
            var go = ShouldProcess(description, "Are you sure you want to perform this action?" + Environment.NewLine + description, "Confirm", out var reason);
            whatIf = reason == ShouldProcessReason.WhatIf;
            return go;
        }

        public void Dispose()
        {
            _inbox.CompleteAdding();
            _cancellation.Dispose();
            _inbox.Dispose();
        }

        // Every Write goes through the session's redactor. Derived cmdlets call these, which hide PSCmdlet's own.
        internal new void WriteVerbose(string text) => base.WriteVerbose(Session.Redactor.Redact(text));
        internal new void WriteDebug(string text) => base.WriteDebug(Session.Redactor.Redact(text));
        internal new void WriteWarning(string text) => base.WriteWarning(Session.Redactor.Redact(text));
        internal new void WriteError(ErrorRecord record) => base.WriteError(Session.Redactor.Redact(record));
        internal new void WriteProgress(ProgressRecord record) => base.WriteProgress(Session.Redactor.Redact(record));
        internal new void ThrowTerminatingError(ErrorRecord record) => base.ThrowTerminatingError(Session.Redactor.Redact(record));

        void IOutputSink.Output(object item) => OnPipelineThread(() => WriteObject(item));
        void IOutputSink.Error(DreaminaException error, object? target) => OnPipelineThread(() => WriteError(error.ToErrorRecord(target)));
        void IOutputSink.Progress(ProgressRecord record) => OnPipelineThread(() => WriteProgress(record));
        void IActivityLog.Verbose(string message) => OnPipelineThread(() => WriteVerbose(message));
        void IActivityLog.Debug(string message) => OnPipelineThread(() => WriteDebug(message));
        void IActivityLog.Warning(string message) => OnPipelineThread(() => WriteWarning(message));
        void IActivityLog.Information(string message) => OnPipelineThread(() => WriteInformation(Session.Redactor.Redact(message), new[] { "Dreamina" }));

        /// <summary>Runs on the pipeline thread: now if this is it, else when the pipeline thread next pumps.</summary>
        internal void OnPipelineThread(Action write)
        {
            if (Thread.CurrentThread.ManagedThreadId == _pipelineThread) write();
            else Post(write);
        }
    }
}
