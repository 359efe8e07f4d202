using System;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Dreamina.Journal;
using Xunit;

namespace Dreamina.Tests.Units;

public sealed class JournalTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("dreamina-journal-").FullName;
    private string PathIn(string name) => Path.Combine(_folder, "nested", name);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static DreaminaJob Job(string id, JobStatus status = JobStatus.Queued) => new(id)
    {
        Status = status,
        Prompt = "prompt of " + id,
        ImageUri = new Uri("https://example.com/a.png"),
        Seed = 7,
        Frames = 241,
        SubmittedAt = DateTimeOffset.UtcNow,
        VideoUris = new[] { new Uri("https://storage.runcomfy.net/" + id + ".mp4") },
    };

    [Fact]
    public void The_newest_entry_for_a_job_wins_and_every_field_round_trips()
    {
        var journal = new JobJournal(PathIn("jobs.jsonl"));
        journal.Record(Job("a"));
        var done = Job("a", JobStatus.Completed);
        done.SavedTo = "/clips/a.mp4";
        journal.Record(done);
        var read = Assert.Single(journal.Read(_ => { }));
        Assert.Equal((JobStatus.Completed, "prompt of a", 7L, 241, "/clips/a.mp4"), (read.Status, read.Prompt!, read.Seed!.Value, read.Frames!.Value, read.SavedTo!));
        Assert.Equal(done.VideoUri, read.VideoUri);
    }

    [Fact]
    public void Writers_with_their_own_handles_at_the_same_time_lose_nothing()
    {
        var path = PathIn("jobs.jsonl");
        Parallel.For(0, 4, writer =>
        {
            var journal = new JobJournal(path);
            for (var i = 0; i < 100; i++) journal.Record(Job($"w{writer}-{i}"));
        });
        Assert.Equal(400, new JobJournal(path).Read(_ => { }).Select(j => j.RequestId).Distinct().Count());
    }

    [Fact]
    public void A_torn_last_line_is_skipped_with_a_warning_and_the_next_entry_is_not_damaged()
    {
        var path = PathIn("jobs.jsonl");
        var journal = new JobJournal(path);
        journal.Record(Job("a"));
        File.AppendAllText(path, """{"request_id":"b","status":"Que""");
        journal.Record(Job("c"));
        string? warning = null;
        var jobs = journal.Read(w => warning = w);
        Assert.Equal(new[] { "a", "c" }, jobs.Select(j => j.RequestId));
        Assert.Contains("line 2", warning);
    }

    [Fact]
    public void Forgotten_jobs_stay_forgotten()
    {
        var journal = new JobJournal(PathIn("jobs.jsonl"));
        journal.Record(Job("a"), Job("b"));
        journal.Forget(new[] { "a" });
        Assert.Equal(new[] { "b" }, journal.Read(_ => { }).Select(j => j.RequestId));
    }

    [Fact]
    public void Superseded_lines_are_compacted_away_without_losing_a_job()
    {
        var path = PathIn("jobs.jsonl");
        var journal = new JobJournal(path);
        journal.Record(Job("keep"));
        for (var i = 0; i <= JobJournal.CompactionSlack; i++) journal.Record(Job("busy", i % 2 == 0 ? JobStatus.Queued : JobStatus.Running));
        var done = Job("busy", JobStatus.Completed);
        journal.Record(done);

        var jobs = journal.Read(_ => { });

        Assert.Equal(new[] { ("keep", JobStatus.Queued), ("busy", JobStatus.Completed) }, jobs.Select(j => (j.RequestId, j.Status)));
        Assert.Equal(2, File.ReadAllLines(path).Length);
        Assert.Equal(jobs.Select(j => j.RequestId), journal.Read(_ => { }).Select(j => j.RequestId));
        if (!OperatingSystem.IsWindows()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
    }

    [Fact]
    public void Only_its_owner_can_read_it_on_unix()
    {
        if (OperatingSystem.IsWindows()) return;
        var path = PathIn("jobs.jsonl");
        new JobJournal(path).Record(Job("a"));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.GetDirectoryName(path)!));
    }
}
