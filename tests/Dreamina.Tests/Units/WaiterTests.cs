using System;
using Dreamina.Service;
using Dreamina.Waiting;
using Xunit;

namespace Dreamina.Tests.Units;

public sealed class WaiterTests
{
    [Fact]
    public void Jobs_deep_in_the_queue_are_polled_less_often_but_never_less_than_the_cap_allows()
    {
        using var waiter = new JobWaiter(null!, new WaitSettings { PollInterval = TimeSpan.FromSeconds(2), MaxPollInterval = TimeSpan.FromSeconds(30) }, SilentLog.Instance, _ => { }, default);
        Assert.InRange(waiter.NextDelay(null).TotalSeconds, 1.8, 2.2);
        Assert.InRange(waiter.NextDelay(1).TotalSeconds, 1.8, 2.2);
        Assert.InRange(waiter.NextDelay(10).TotalSeconds, 5.4, 6.6);
        Assert.InRange(waiter.NextDelay(500).TotalSeconds, 14.4, 17.6);
    }
}
