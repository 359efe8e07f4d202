using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using Dreamina.Configuration;
using Dreamina.Journal;
using Dreamina.Service;

namespace Dreamina.Hosting
{
    /// <summary>
    /// What every Dreamina cmdlet shares: one cancellation source, cancelled by Ctrl+C, and an inbox through
    /// which background work hands results and messages to the pipeline thread, the only thread allowed to Write.
    /// </summary>
    public abstract class DreaminaCmdlet : PSCmdlet, IActivityLog, IDisposable
    {
        private readonly CancellationTokenSource _cancellation = new CancellationTokenSource();
        private readonly BlockingCollection<Action> _inbox = new BlockingCollection<Action>();
        private int _pipelineThread;
        private DreaminaSession? _session;
        private RunComfyClient? _client;
        private JobJournal? _journal;
        private Dictionary<string, DreaminaJob>? _journaled;

        internal CancellationToken Cancellation => _cancellation.Token;

        internal DreaminaSession Session => _session ??= DreaminaSession.Current;

        internal RunComfyClient Client => _client ??= Session.CreateClient(this);

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

        /// <summary>Waits for one async operation on the pipeline thread, running posted work (verbose messages, progress) meanwhile.</summary>
        internal T Await<T>(Task<T> task)
        {
            task.ContinueWith(_ => Post(() => { }), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            PumpUntil(() => task.IsCompleted, null);
            Drain();
            try
            {
                return task.GetAwaiter().GetResult();
            }
            catch (OperationCanceledException) when (Cancellation.IsCancellationRequested)
            {
                throw new PipelineStoppedException();
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
                yield return Journaled.TryGetValue(id.Trim(), out var known) ? known : new DreaminaJob(id.Trim()) { ServiceUri = Session.EffectiveBaseUri };
            }
        }

        // The journal read once per call, so a thousand piped ids do not read it a thousand times.
        private Dictionary<string, DreaminaJob> Journaled => _journaled ??= ReadJournalOrWarn().ToDictionary(j => j.RequestId);

        private List<DreaminaJob> ReadJournalOrWarn()
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

        internal JobJournal Journal => _journal ??= Session.CreateJournal();

        /// <summary>Writes the job to the journal; a journal that cannot be written must not cost the job, so this only warns.</summary>
        internal void Remember(DreaminaJob job)
        {
            try
            {
                Journal.Record(job);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or DreaminaException)
            {
                WriteWarning($"Job {job.RequestId} could not be written to the journal {Journal.Path}: {e.Message} Keep its request id.");
            }
        }

        /// <summary>A missing or rejected token, or an empty balance, fails every later item too: stop the pipeline.</summary>
        internal void Fail(DreaminaException error, object? target)
        {
            if (error.ErrorId is ErrorIds.TokenMissing or ErrorIds.AuthenticationFailed or ErrorIds.InsufficientBalance or ErrorIds.InsecureBaseUri)
                ThrowTerminatingError(error.ToErrorRecord(target));
            WriteError(error.ToErrorRecord(target));
        }

        public void Dispose()
        {
            _inbox.CompleteAdding();
            _cancellation.Dispose();
            _inbox.Dispose();
        }

        void IActivityLog.Verbose(string message) => OnPipelineThread(() => WriteVerbose(message));
        void IActivityLog.Debug(string message) => OnPipelineThread(() => WriteDebug(message));
        void IActivityLog.Warning(string message) => OnPipelineThread(() => WriteWarning(message));

        private void OnPipelineThread(Action write)
        {
            if (Thread.CurrentThread.ManagedThreadId == _pipelineThread) write();
            else Post(write);
        }
    }
}
