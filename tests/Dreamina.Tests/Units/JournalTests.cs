using System;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Dreamina.Journal;
using Dreamina.Tests.Infrastructure;
using Xunit;

namespace Dreamina.Tests.Units;

public sealed class JournalTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("dreamina-journal-").FullName;
    private string PathIn(string name) => Path.Combine(_folder, "nested", name);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static DreaminaJob Job(string id, JobStatus status = JobStatus.Queued, decimal? cost = null) => new(id)
    {
        Cost = cost,
        Status = status,
        Prompt = "prompt of " + id,
        ImageUri = new Uri("https://example.com/a.png"),
        Seed = 7,
        Frames = 241,
        SubmittedAt = DateTimeOffset.UtcNow,
        VideoUris = new[] { new Uri("https://storage.runcomfy.net/" + id + ".mp4") },
    };

    [Fact]
    public async Task The_newest_entry_for_a_job_wins_and_every_field_round_trips()
    {
        var journal = new FileJournal(PathIn("jobs.jsonl"));
        await journal.RecordAsync(Job("a"));
        var done = Job("a", JobStatus.Completed);
        done.SavedTo = "/clips/a.mp4";
        await journal.RecordAsync(done);
        var read = Assert.Single(journal.Read(_ => { }));
        Assert.Equal((JobStatus.Completed, "prompt of a", 7L, 241, "/clips/a.mp4"), (read.Status, read.Prompt!, read.Seed!.Value, read.Frames!.Value, read.SavedTo!));
        Assert.Equal(done.VideoUri, read.VideoUri);
    }

    [Fact]
    public async Task Writers_with_their_own_handles_at_the_same_time_lose_nothing()
    {
        var path = PathIn("jobs.jsonl");
        await Task.WhenAll(Enumerable.Range(0, 4).Select(writer => Task.Run(async () =>
        {
            var journal = new FileJournal(path);
            for (var i = 0; i < 100; i++) await journal.RecordAsync(Job($"w{writer}-{i}"));
        })));
        Assert.Equal(400, new FileJournal(path).Read(_ => { }).Select(j => j.RequestId).Distinct().Count());
    }

    [Fact]
    public async Task A_torn_last_line_is_skipped_with_a_warning_and_the_next_entry_is_not_damaged()
    {
        var path = PathIn("jobs.jsonl");
        var journal = new FileJournal(path);
        await journal.RecordAsync(Job("a"));
        File.AppendAllText(path, """{"request_id":"b","status":"Que""");
        await journal.RecordAsync(Job("c"));
        string? warning = null;
        var jobs = journal.Read(w => warning = w);
        Assert.Equal(new[] { "a", "c" }, jobs.Select(j => j.RequestId));
        Assert.Contains("line 2", warning);
    }

    [Fact]
    public async Task Forgotten_jobs_stay_forgotten()
    {
        var journal = new FileJournal(PathIn("jobs.jsonl"));
        await journal.RecordAsync(Job("a"), Job("b"));
        journal.Forget(new[] { "a" });
        Assert.Equal(new[] { "b" }, journal.Read(_ => { }).Select(j => j.RequestId));
    }

    [Fact]
    public async Task Superseded_lines_are_compacted_away_without_losing_a_job()
    {
        var path = PathIn("jobs.jsonl");
        var journal = new FileJournal(path);
        await journal.RecordAsync(Job("keep"));
        for (var i = 0; i <= FileJournal.CompactionSlack; i++) await journal.RecordAsync(Job("busy", i % 2 == 0 ? JobStatus.Queued : JobStatus.Running));
        var done = Job("busy", JobStatus.Completed);
        await journal.RecordAsync(done);

        var jobs = journal.Read(_ => { });

        Assert.Equal(new[] { ("keep", JobStatus.Queued), ("busy", JobStatus.Completed) }, jobs.Select(j => (j.RequestId!, j.Status)));
        Assert.Equal(2, File.ReadAllLines(path).Length);
        Assert.Equal(jobs.Select(j => j.RequestId), journal.Read(_ => { }).Select(j => j.RequestId));
        if (!OperatingSystem.IsWindows()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
    }

    [UnixFact]
    public async Task Only_its_owner_can_read_it_on_unix()
    {
        var path = PathIn("jobs.jsonl");
        await new FileJournal(path).RecordAsync(Job("a"));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.GetDirectoryName(path)!));
    }

    [Fact]
    public async Task A_submission_is_on_disk_before_it_is_sent_and_its_answer_takes_its_place()
    {
        var path = PathIn("jobs.jsonl");
        var journal = new FileJournal(path);
        var intent = new DreaminaJob(Guid.NewGuid()) { Prompt = "before sending", SubmittedAt = DateTimeOffset.UtcNow };
        Assert.True((await journal.BeginSubmissionAsync(intent, null)).IsAllowed);

        var pending = Assert.Single(new FileJournal(path).Read(_ => { }));
        Assert.Equal((JobStatus.Submitting, (string?)null, "before sending"), (pending.Status, pending.RequestId, pending.Prompt));

        intent.RequestId = "accepted-1";
        intent.Status = JobStatus.Queued;
        await journal.RecordAsync(intent);
        var accepted = Assert.Single(new FileJournal(path).Read(_ => { }));
        Assert.Equal(("accepted-1", JobStatus.Queued, intent.ClientId), (accepted.RequestId, accepted.Status, accepted.ClientId));
    }

    [Fact]
    public void A_submission_whose_answer_never_came_reads_as_unconfirmed_once_no_answer_can_still_come()
    {
        var path = PathIn("jobs.jsonl");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var old = DateTimeOffset.UtcNow - DreaminaJob.LongestSubmission - TimeSpan.FromMinutes(1);
        File.WriteAllText(path, $$"""{"client_id":"c-1","status":"Submitting","prompt":"lost","submitted_at":"{{old:O}}","recorded_at":"{{old:O}}"}""" + "\n");
        var job = Assert.Single(new FileJournal(path).Read(_ => { }));
        Assert.Equal(JobStatus.Unconfirmed, job.Status);
        Assert.Contains("ended before", job.Error);

        new FileJournal(path).Forget(new[] { job.Key });
        Assert.Empty(new FileJournal(path).Read(_ => { }));
    }

    [Fact]
    public async Task Two_journals_on_one_file_never_let_the_day_pass_its_limit_together()
    {
        // Two processes, as two journal objects with their own ledgers, each trying 10 jobs of 1 USD against a limit of 7.
        var path = PathIn("jobs.jsonl");
        var limit = new DailyLimit(7m, 1m);
        var allowed = 0;
        await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => Task.Run(async () =>
        {
            var journal = new FileJournal(path);
            for (var i = 0; i < 10; i++)
            {
                var intent = new DreaminaJob(Guid.NewGuid()) { Cost = 1m, SubmittedAt = DateTimeOffset.UtcNow };
                if ((await journal.BeginSubmissionAsync(intent, limit)).IsAllowed) Interlocked.Increment(ref allowed);
            }
        })));
        Assert.Equal(7, allowed);
        Assert.Equal(7, new FileJournal(path).Read(_ => { }).Count);
    }

    [Fact]
    public async Task The_day_counts_unknown_costs_high_forgets_withdrawn_jobs_and_ignores_other_days()
    {
        var path = PathIn("jobs.jsonl");
        var journal = new FileJournal(path);
        var yesterday = Job("yesterday", cost: 100m);
        yesterday.SubmittedAt = DateTimeOffset.Now.AddDays(-1);
        await journal.RecordAsync(yesterday, Job("unknown-cost"), Job("cancelled", JobStatus.Cancelled, 3m));
        var withdrawn = new DreaminaJob(Guid.NewGuid()) { Cost = 2m, SubmittedAt = DateTimeOffset.UtcNow };
        await journal.BeginSubmissionAsync(withdrawn, new DailyLimit(100m, 5m));
        await journal.WithdrawAsync(withdrawn);

        // Today: one job of unknown cost, counted as 5. A sixth USD does not fit under 10; a fifth does.
        var refused = await journal.BeginSubmissionAsync(new DreaminaJob(Guid.NewGuid()) { Cost = 6m, SubmittedAt = DateTimeOffset.UtcNow }, new DailyLimit(10m, 5m));
        Assert.False(refused.IsAllowed);
        Assert.Equal((5m, 10m), (refused.Spent, refused.Limit));
        Assert.True((await journal.BeginSubmissionAsync(new DreaminaJob(Guid.NewGuid()) { Cost = 5m, SubmittedAt = DateTimeOffset.UtcNow }, new DailyLimit(10m, 5m))).IsAllowed);
    }

    [Fact]
    public async Task A_journal_that_cannot_be_written_fails_the_write_with_its_own_error()
    {
        var blocker = PathIn("not-a-folder");
        Directory.CreateDirectory(Path.GetDirectoryName(blocker)!);
        File.WriteAllText(blocker, "a file where the journal's folder should be");
        var journal = new FileJournal(Path.Combine(blocker, "jobs.jsonl"));
        var error = await Assert.ThrowsAsync<DreaminaException>(() => journal.BeginSubmissionAsync(new DreaminaJob(Guid.NewGuid()), null));
        Assert.Equal(ErrorIds.JournalUnavailable, error.ErrorId);
    }
}
