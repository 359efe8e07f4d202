using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;

namespace Dreamina.Journal
{
    /// <summary>
    /// Group commit for a journal: changes that arrive while a write is under way wait, and then go out together
    /// in the order they came (one lock and one flush for a file, one round of requests for a table), on a
    /// thread of their own. Each caller's task ends when its changes are kept, or fails with the write's error.
    /// </summary>
    internal sealed class GroupCommit<T>
    {
        private readonly Func<List<T>, Task> _write;
        private readonly object _gate = new object();
        private List<(T Change, TaskCompletionSource<bool> Done)> _pending = new List<(T, TaskCompletionSource<bool>)>();
        private bool _writing;

        /// <param name="write">Writes one group; it throws to fail every change in it.</param>
        public GroupCommit(Func<List<T>, Task> write) => _write = write;

        public Task Add(params T[] changes)
        {
            var done = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            if (changes.Length == 0)
            {
                done.SetResult(true);
                return done.Task;
            }
            lock (_gate)
            {
                foreach (var change in changes) _pending.Add((change, done));
                if (!_writing)
                {
                    _writing = true;
                    Task.Run(WriteWaitingAsync);
                }
            }
            return done.Task;
        }

        // Takes everything waiting, writes it, and goes again until nothing waits.
        private async Task WriteWaitingAsync()
        {
            while (true)
            {
                List<(T Change, TaskCompletionSource<bool> Done)> group;
                lock (_gate)
                {
                    if (_pending.Count == 0)
                    {
                        _writing = false;
                        return;
                    }
                    group = _pending;
                    _pending = new List<(T, TaskCompletionSource<bool>)>();
                }
                var callers = group.Select(g => g.Done).Distinct().ToList();
                try
                {
                    await _write(group.Select(g => g.Change).ToList()).ConfigureAwait(false);
                    foreach (var done in callers) done.TrySetResult(true);
                }
                catch (Exception e)
                {
                    foreach (var done in callers) done.TrySetException(e);
                }
            }
        }
    }
}
