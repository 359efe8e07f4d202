using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using Dreamina.Configuration;
using Dreamina.Journal;
using Dreamina.Reporting;
using Dreamina.Service;

namespace Dreamina.Hosting
{
    /// <summary>
    /// What every Dreamina cmdlet shares: one cancellation source, cancelled by Ctrl+C; the inbox through which
    /// background work reaches the pipeline thread (<see cref="PipelineInbox"/>); the engine's parts for this call
    /// (<see cref="Configuration.Engine"/>); and the redaction of everything written, whichever thread it came from.
    /// </summary>
    public abstract class DreaminaCmdlet : PSCmdlet, IOutputSink, IDisposable
    {
        private readonly CancellationTokenSource _cancellation = new CancellationTokenSource();
        private readonly PipelineInbox _inbox;
        private DreaminaSession? _session;
        private Engine? _engine;
        private RelaySink? _relay;

        protected DreaminaCmdlet() => _inbox = new PipelineInbox(_cancellation.Token);

        internal CancellationToken Cancellation => _cancellation.Token;

        internal DreaminaSession Session => _session ??= DreaminaSession.Current;

        /// <summary>Where everything made for this call writes: this pipeline, or the background job it hands its work to.</summary>
        internal RelaySink Relay => _relay ??= new RelaySink(this);

        /// <summary>The parts of the engine this call uses, built by the session's composition root.</summary>
        internal Engine Engine => _engine ??= new Engine(Session, Relay, _inbox.OnPipelineThreadAsync);

        internal RunComfyClient Client => Engine.Client;

        internal IJobJournal Journal => Engine.Journal;

        protected override void BeginProcessing()
        {
            _inbox.BindToThisThread();
            _session = DreaminaSession.Current;
        }

        protected override void StopProcessing() => _cancellation.Cancel();

        /// <summary>Runs whatever work is already posted, without waiting.</summary>
        internal void Drain() => _inbox.Drain();

        /// <summary>Waits for a task on the pipeline thread, running posted work (output, verbose messages, progress) meanwhile.</summary>
        internal void Await(Task task) => _inbox.AwaitUntil(task, null);

        /// <summary>As <see cref="Await(Task)"/>, but gives up at the deadline: false when the task had not finished.</summary>
        internal bool AwaitUntil(Task task, DateTime? deadlineUtc) => _inbox.AwaitUntil(task, deadlineUtc);

        internal T Await<T>(Task<T> task)
        {
            Await((Task)task);
            return task.Result;
        }

        /// <summary>Runs on the pipeline thread: now if this is it, else when the pipeline thread next pumps.</summary>
        internal void OnPipelineThread(Action write) => _inbox.OnPipelineThread(write);

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
            _inbox.Dispose();
            _cancellation.Dispose();
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
    }
}
