using System;
using Dreamina.Waiting;
using Xunit;

namespace Dreamina.Tests.Units;

public sealed class PollPlanTests
{
    private static readonly DateTime Now = new(2026, 11, 29, 12, 0, 0, DateTimeKind.Utc);
    private static readonly WaitSettings Settings = new() { PollInterval = TimeSpan.FromSeconds(2) };

    private static double SecondsUntil(DateTime due) => (due - Now).TotalSeconds;

    [Fact]
    public void A_new_job_is_first_asked_one_interval_after_it_was_submitted_and_at_once_if_that_has_passed()
    {
        Assert.Equal(2, SecondsUntil(PollPlan.FirstPoll(Now, Now, Settings)));
        Assert.Equal(0, SecondsUntil(PollPlan.FirstPoll(Now.AddMinutes(-5), Now, Settings)));
    }

    [Fact]
    public void Before_the_queue_has_shown_anything_deep_jobs_back_off_by_position_within_the_cap()
    {
        var nothing = new QueueEstimator();
        Assert.Equal(2, SecondsUntil(PollPlan.NextPoll(JobStatus.Running, null, Now, Now, nothing, Settings)));
        Assert.Equal(2, SecondsUntil(PollPlan.NextPoll(JobStatus.Queued, 1, null, Now, nothing, Settings)));
        Assert.Equal(6, SecondsUntil(PollPlan.NextPoll(JobStatus.Queued, 10, null, Now, nothing, Settings)));
        Assert.Equal(8, SecondsUntil(PollPlan.NextPoll(JobStatus.Queued, 500, null, Now, nothing, Settings)));
    }

    [Fact]
    public void A_running_job_is_not_asked_before_it_can_be_done_but_at_least_every_thirty_seconds()
    {
        var seen = new QueueEstimator().With(TimeSpan.FromSeconds(20));
        Assert.Equal(10, SecondsUntil(PollPlan.NextPoll(JobStatus.Running, null, Now.AddSeconds(10), Now.AddSeconds(20), seen, Settings)) - 20);
        Assert.Equal(30, SecondsUntil(PollPlan.NextPoll(JobStatus.Running, null, Now, Now, new QueueEstimator().With(TimeSpan.FromMinutes(5)), Settings)));
        // Past its expected end it is asked every interval.
        Assert.Equal(2, SecondsUntil(PollPlan.NextPoll(JobStatus.Running, null, Now.AddMinutes(-3), Now, seen, Settings)));
    }

    [Fact]
    public void A_queued_job_is_asked_shortly_before_its_turn_as_the_queue_moves()
    {
        var moving = new QueueEstimator();
        moving.Moved(100, 50, TimeSpan.FromSeconds(10), Now); // 5 positions a second
        Assert.Equal(5 * 0.8, SecondsUntil(PollPlan.NextPoll(JobStatus.Queued, 25, null, Now, moving, Settings)), 3);
        Assert.Equal(2, SecondsUntil(PollPlan.NextPoll(JobStatus.Queued, 2, null, Now, moving, Settings)));
        Assert.Equal(600, SecondsUntil(PollPlan.NextPoll(JobStatus.Queued, 5000, null, Now, moving, Settings)));
    }

    [Fact]
    public void The_run_time_estimate_is_a_low_quartile_and_the_drain_rate_forgets_old_moves()
    {
        var estimates = new QueueEstimator();
        estimates.Finished(TimeSpan.FromSeconds(90));
        estimates.Finished(TimeSpan.FromSeconds(60));
        Assert.Null(estimates.RunTime); // two jobs are no measure yet
        foreach (var seconds in new[] { 120, 100, 70 }) estimates.Finished(TimeSpan.FromSeconds(seconds));
        Assert.Equal(TimeSpan.FromSeconds(70), estimates.RunTime);
        estimates.Moved(10, 6, TimeSpan.FromSeconds(2), Now.AddMinutes(-5));
        estimates.Moved(6, 5, TimeSpan.FromSeconds(2), Now);
        Assert.Equal(0.5, estimates.DrainRate);
    }

    [Fact]
    public void A_queue_seen_standing_still_is_thought_to_move_one_position_per_longest_stretch_watched()
    {
        var estimates = new QueueEstimator();
        Assert.Null(estimates.DrainRate);
        estimates.Moved(40, 40, TimeSpan.FromSeconds(8), Now);
        estimates.Moved(12, 12, TimeSpan.FromSeconds(20), Now);
        Assert.Equal(1 / 20.0, estimates.DrainRate);
        // Position 3 is then asked again after 0.8 x 3 x 20 s, a job far back only at the ten-minute safety net;
        // the front of the queue every interval, where a queue that starts moving shows it first.
        Assert.Equal(48, SecondsUntil(PollPlan.NextPoll(JobStatus.Queued, 3, null, Now, estimates, Settings)), 3);
        Assert.Equal(600, SecondsUntil(PollPlan.NextPoll(JobStatus.Queued, 400, null, Now, estimates, Settings)));
        Assert.Equal(2, SecondsUntil(PollPlan.NextPoll(JobStatus.Queued, 1, null, Now, estimates, Settings)));
    }

    [Fact]
    public void A_job_that_left_the_queue_shows_the_least_speed_it_moved_at()
    {
        var estimates = new QueueEstimator();
        estimates.Moved(40, 40, TimeSpan.FromSeconds(20), Now);
        Assert.Equal(1 / 20.0, estimates.DrainRate);
        estimates.Left(2, TimeSpan.FromSeconds(0.5), Now);
        Assert.Equal(4, estimates.DrainRate);
        // Never lower than what was measured.
        estimates.Left(1, TimeSpan.FromSeconds(60), Now);
        Assert.Equal(4, estimates.DrainRate);
    }
}

internal static class EstimatorTestExtensions
{
    /// <summary>Three jobs that ran this long: enough to go by.</summary>
    public static QueueEstimator With(this QueueEstimator estimator, TimeSpan runTime)
    {
        for (var i = 0; i < 3; i++) estimator.Finished(runTime);
        return estimator;
    }
}
