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
    public void A_queue_standing_still_has_no_speed_and_its_deep_jobs_are_asked_as_seldom_as_it_has_stood_still()
    {
        var estimates = new QueueEstimator();
        estimates.Moved(40, 40, TimeSpan.FromSeconds(8), Now.AddSeconds(-52));
        estimates.Moved(12, 12, TimeSpan.FromSeconds(20), Now);
        Assert.Null(estimates.DrainRate);
        Assert.Equal(Now.AddSeconds(-60), estimates.StandingSince);
        // Standing for a minute: a deep job is asked a minute on; the front of the queue every interval.
        Assert.Equal(60, SecondsUntil(PollPlan.NextPoll(JobStatus.Queued, 400, null, Now, estimates, Settings)), 3);
        Assert.Equal(2, SecondsUntil(PollPlan.NextPoll(JobStatus.Queued, 1, null, Now, estimates, Settings)));
        // The first job to leave the queue, or to move up in it, ends the standing still.
        estimates.Left(Now);
        Assert.Null(estimates.StandingSince);
        Assert.Equal(8, SecondsUntil(PollPlan.NextPoll(JobStatus.Queued, 400, null, Now, estimates, Settings)));
    }

    [Fact]
    public void A_queue_that_starts_moving_is_timed_from_when_it_was_last_seen_still()
    {
        var estimates = new QueueEstimator();
        estimates.Moved(30, 30, TimeSpan.FromSeconds(2), Now.AddSeconds(-2)); // still, two seconds ago
        // A job last asked a minute ago has moved 20 places: in the last two seconds, not in the minute.
        estimates.Moved(50, 30, TimeSpan.FromSeconds(60), Now);
        Assert.Equal(20 / 4.0, estimates.DrainRate);
    }

    [Fact]
    public void An_answer_that_the_queue_stood_still_counts_only_from_when_it_was_last_seen_moving()
    {
        // Answers cross on the way: one sent before the queue moved can arrive after the news that it moved.
        var estimates = new QueueEstimator();
        estimates.Moved(20, 10, TimeSpan.FromSeconds(1), Now.AddSeconds(-1));
        estimates.Moved(9, 9, TimeSpan.FromSeconds(6), Now);
        Assert.Equal(10 / 2.0, estimates.DrainRate);
        Assert.Equal(Now.AddSeconds(-1), estimates.StandingSince);
    }

    [Fact]
    public void A_queue_that_stood_still_for_long_and_then_drains_is_measured_by_its_movement_alone()
    {
        var estimates = new QueueEstimator();
        for (var i = 0; i < 3; i++) estimates.Moved(20, 20, TimeSpan.FromSeconds(6), Now.AddSeconds(-1));
        estimates.Moved(20, 10, TimeSpan.FromSeconds(0.5), Now);
        Assert.Equal(10 / 18.5, estimates.DrainRate!.Value, 3);
        // Told the standing has ended (the scheduler says so after a long stand), the 18 still seconds are forgotten.
        estimates.ForgetStandingStill();
        Assert.Equal(20, estimates.DrainRate);
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
