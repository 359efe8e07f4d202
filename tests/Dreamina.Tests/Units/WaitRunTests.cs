using System;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using Dreamina.Journal;
using Dreamina.Reporting;
using Dreamina.Service;
using Dreamina.Waiting;
using Xunit;

namespace Dreamina.Tests.Units;

public sealed class WaitRunTests
{
    [Fact]
    public async Task The_run_is_not_done_while_a_finished_job_is_still_being_handed_on()
    {
        // Two jobs finish on two threads; the first one's output is slow to be written. A background job that
        // ended on the second would end without the first in its output (Receive-Job got two of three).
        var sink = new SlowFirstOutput();
        using var run = new WaitRun(new NoService(), new JobJournal(Path.Combine(Path.GetTempPath(), $"{Guid.NewGuid():N}.jsonl")), new WaitSettings(), sink, CancellationToken.None);
        var slow = Task.Run(() => run.Add(Finished("first")));
        Assert.True(sink.FirstIsBeingWritten.Wait(TimeSpan.FromSeconds(10)));
        run.Add(Finished("second"));
        run.Close();

        Assert.False(run.AllFinished.IsCompleted);
        sink.LetFirstThrough.Set();
        await slow;
        await run.AllFinished.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(new[] { "second", "first" }, sink.Written);
    }

    private static DreaminaJob Finished(string id)
        => new(id) { Status = JobStatus.Completed, VideoUris = new[] { new Uri($"https://example.test/{id}.mp4") } };

    private sealed class SlowFirstOutput : IOutputSink
    {
        public readonly ManualResetEventSlim FirstIsBeingWritten = new();
        public readonly ManualResetEventSlim LetFirstThrough = new();
        public readonly List<string> Written = new();

        public void Output(object item)
        {
            var id = ((DreaminaJob)item).RequestId!;
            if (id == "first")
            {
                FirstIsBeingWritten.Set();
                LetFirstThrough.Wait(TimeSpan.FromSeconds(10));
            }
            lock (Written) Written.Add(id);
        }

        public void Error(DreaminaException error, object? target) => throw new InvalidOperationException(error.Message);
        public void Progress(ProgressRecord record) { }
        public void Verbose(string message) { }
        public void Debug(string message) { }
        public void Warning(string message) { }
    }

    private sealed class NoService : IRunComfyApi
    {
        public Task<string> SubmitAsync(Input.VideoRequest request, CancellationToken cancel) => throw new NotSupportedException();
        public Task<JobSnapshot> GetStatusAsync(string requestId, CancellationToken cancel) => throw new NotSupportedException();
        public Task<JobSnapshot> GetResultAsync(string requestId, CancellationToken cancel) => throw new NotSupportedException();
        public Task<CancelOutcome> CancelAsync(string requestId, CancellationToken cancel) => throw new NotSupportedException();
    }
}
