using System;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using Dreamina.Journal;
using Dreamina.Model;
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
        var firstIsBeingWritten = new ManualResetEventSlim();
        var letFirstThrough = new ManualResetEventSlim();
        var written = new List<string>();
        var sink = new CallbackSink(item =>
        {
            var id = ((DreaminaJob)item).RequestId!;
            if (id == "first")
            {
                firstIsBeingWritten.Set();
                letFirstThrough.Wait(TimeSpan.FromSeconds(10));
            }
            lock (written) written.Add(id);
        });
        using var run = new WaitRun(new FinishedAtOnce(), NewJournal(), new WaitSettings(), sink, CancellationToken.None);
        var slow = Task.Run(() => run.Add(Finished("first")));
        Assert.True(firstIsBeingWritten.Wait(TimeSpan.FromSeconds(10)));
        run.Add(Finished("second"));
        run.Close();

        Assert.False(run.AllFinished.IsCompleted);
        letFirstThrough.Set();
        await slow;
        await sink.Finishes(run.AllFinished);
        Assert.Equal(new[] { "second", "first" }, written);
    }

    [Fact]
    public async Task A_job_is_handed_on_only_once_the_journal_holds_how_it_ended()
    {
        // A script that ends right after Wait-DreaminaJob must not leave a finished job journaled as running.
        var journal = NewJournal();
        string? journaledWhenHandedOn = null;
        var sink = new CallbackSink(_ => journaledWhenHandedOn = File.Exists(journal.Path) ? File.ReadAllText(journal.Path) : "");
        using var run = new WaitRun(new FinishedAtOnce(), journal, new WaitSettings { PollInterval = TimeSpan.FromMilliseconds(10) }, sink, CancellationToken.None);
        run.Add(new DreaminaJob("running-job") { Status = JobStatus.Running });
        run.Close();
        await sink.Finishes(run.AllFinished);
        Assert.Contains("\"status\":\"Completed\"", journaledWhenHandedOn);
    }

    private static FileJournal NewJournal() => new(Path.Combine(Path.GetTempPath(), $"{Guid.NewGuid():N}.jsonl"));

    private static DreaminaJob Finished(string id)
        => new(id) { Status = JobStatus.Completed, VideoUris = new[] { new Uri($"https://example.test/{id}.mp4") } };

    // Output goes to the test's callback; an error or warning (which these runs should never give) fails the test
    // with its message, although it arrives on a pool thread where a throw would be lost.
    private sealed class CallbackSink : IOutputSink
    {
        private readonly Action<object> _output;
        private readonly TaskCompletionSource<string> _complaint = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public CallbackSink(Action<object> output) => _output = output;

        /// <summary>Waits for the run's task; fails at once with what the run complained of, or after 10 s.</summary>
        public async Task Finishes(Task task)
        {
            var first = await Task.WhenAny(task, _complaint.Task, Task.Delay(TimeSpan.FromSeconds(10)));
            if (first == _complaint.Task) Assert.Fail("The run reported: " + _complaint.Task.Result);
            Assert.True(task.IsCompleted, "The run did not finish within 10 s.");
            await task;
        }

        public void Output(object item) => _output(item);
        public void Error(DreaminaException error, object? target) => _complaint.TrySetResult(error.Message);
        public void Progress(ProgressRecord record) { }
        public void Verbose(string message) { }
        public void Debug(string message) { }
        public void Warning(string message) => _complaint.TrySetResult(message);
        public void Information(string message) { }
    }

    private sealed class FinishedAtOnce : IRunComfyApi
    {
        public Task<string> SubmitAsync(DreaminaModel model, string body, CancellationToken cancel) => throw new NotSupportedException();
        public Task<JobSnapshot> GetStatusAsync(string requestId, CancellationToken cancel) => GetResultAsync(requestId, cancel);
        public Task<CancelOutcome> CancelAsync(string requestId, CancellationToken cancel) => throw new NotSupportedException();
        public IRunComfyApi At(Uri? service) => this;

        public Task<JobSnapshot> GetResultAsync(string requestId, CancellationToken cancel)
            => Task.FromResult(new JobSnapshot(requestId, "succeeded", JobStatus.Completed) { Videos = new[] { new Uri("https://example.test/v.mp4") } });
    }
}
