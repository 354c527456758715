using Microsoft.Extensions.Time.Testing;
using SpinPet.Solana.Rpc;

namespace SpinPet.Solana.Tests.Rpc;

public sealed class LogThrottleTests
{
    [Fact]
    public void An_interval_passes_its_lines_and_the_next_line_through_carries_how_many_were_held_back()
    {
        var time = new FakeTimeProvider();
        var throttle = new LogThrottle(TimeSpan.FromMinutes(1), time, linesPerInterval: 3);

        var passed = Enumerable.Range(0, 7).Select(_ => throttle.TryEnter(out long heldBack) ? heldBack : -1).ToList();
        Assert.Equal([0L, 0, 0, -1, -1, -1, -1], passed);

        time.Advance(TimeSpan.FromSeconds(59));
        Assert.False(throttle.TryEnter(out _));

        time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(throttle.TryEnter(out long heldBackInTheLastInterval));
        Assert.Equal(5, heldBackInTheLastInterval);
        Assert.True(throttle.TryEnter(out long none));
        Assert.Equal(0, none);
    }

    [Fact]
    public void One_line_per_interval_by_default()
    {
        var time = new FakeTimeProvider();
        var throttle = new LogThrottle(TimeSpan.FromSeconds(10), time);
        Assert.True(throttle.TryEnter(out _));
        Assert.False(throttle.TryEnter(out _));
        time.Advance(TimeSpan.FromSeconds(10));
        Assert.True(throttle.TryEnter(out long heldBack));
        Assert.Equal(1, heldBack);
    }
}
