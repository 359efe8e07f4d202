using System;
using System.Collections.Concurrent;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;

namespace Dreamina.Hosting
{
    /// <summary>
    /// The way background work reaches a cmdlet's pipeline thread, the only thread allowed to Write: work is
    /// posted from any thread and run when the pipeline thread pumps, or at once when it is the pipeline thread.
    /// A pump that Ctrl+C ends ends as PowerShell expects, with <see cref="PipelineStoppedException"/>.
    /// </summary>
    internal sealed class PipelineInbox : IDisposable
    {
        private readonly BlockingCollection<Action> _inbox = new BlockingCollection<Action>();
        private readonly CancellationToken _cancellation;
        private int _pipelineThread;

        public PipelineInbox(CancellationToken cancellation) => _cancellation = cancellation;

        /// <summary>Makes the calling thread the pipeline thread (BeginProcessing's).</summary>
        public void BindToThisThread() => _pipelineThread = Thread.CurrentThread.ManagedThreadId;

        /// <summary>Runs on the pipeline thread: now if this is it, else when the pipeline thread next pumps.</summary>
        public void OnPipelineThread(Action work)
        {
            if (Thread.CurrentThread.ManagedThreadId == _pipelineThread) work();
            else Post(work);
        }

        /// <summary>Runs a piece of work on the pipeline thread (user script must run there) and hands back its result; any thread.</summary>
        public Task<object?> OnPipelineThreadAsync(Func<object?> work)
        {
            var done = new TaskCompletionSource<object?>(TaskCreationOptions.RunContinuationsAsynchronously);
            OnPipelineThread(() =>
            {
                try { done.TrySetResult(work()); }
                catch (Exception e) { done.TrySetException(e); }
            });
            return done.Task;
        }

        /// <summary>Runs whatever work is already posted, without waiting.</summary>
        public void Drain()
        {
            while (_inbox.TryTake(out var work)) work();
        }

        /// <summary>
        /// Waits for a task on the pipeline thread, running posted work (output, messages, progress) meanwhile, and
        /// gives up at the deadline: false when the task had not finished. The task's own failure is thrown.
        /// </summary>
        public bool AwaitUntil(Task task, DateTime? deadlineUtc)
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
            catch (OperationCanceledException) when (_cancellation.IsCancellationRequested)
            {
                throw new PipelineStoppedException();
            }
        }

        public void Dispose()
        {
            _inbox.CompleteAdding();
            _inbox.Dispose();
        }

        private void Post(Action work)
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

        // Runs posted work until done holds or the deadline passes (false).
        private bool PumpUntil(Func<bool> done, DateTime? deadlineUtc)
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
                    if (_inbox.TryTake(out var work, wait, _cancellation)) work();
                }
                return true;
            }
            catch (OperationCanceledException) when (_cancellation.IsCancellationRequested)
            {
                throw new PipelineStoppedException();
            }
        }
    }
}
