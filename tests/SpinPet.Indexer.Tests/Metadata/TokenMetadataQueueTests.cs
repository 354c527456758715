using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using SpinPet.Core.Chain;
using SpinPet.Indexer.Metadata;

namespace SpinPet.Indexer.Tests.Metadata;

/// <summary>The metadata queue's wait for a parked retry, on a fake clock whose timers count whole milliseconds.</summary>
public sealed class TokenMetadataQueueTests
{
    [Fact]
    public async Task A_retry_due_in_less_than_a_millisecond_is_waited_for_not_spun_on()
    {
        // Jittered back-offs are not whole milliseconds, and waits are: a wait of 0.5 ms was cut to 0 ms, which timed
        // out at once, found the retry not due and waited 0 ms again, so the worker spun (forever on a fake clock, inside
        // the test's Advance; up to a millisecond of busy CPU on a real one).
        var clock = new CountingClock(new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1_764_062_400)));
        var queue = new TokenMetadataQueue(Options.Create(new IpfsOptions()), clock);
        var job = new MetadataJob(new PublicKey(new byte[32]), retrying: false);
        Assert.True(queue.TryEnqueue(job.Mint));
        var taken = await queue.TakeAsync(TestContext.Current.CancellationToken);
        Assert.True(queue.TryStart(taken));
        Assert.True(queue.TryPark(taken, TimeSpan.FromTicks(15_000)));

        var next = queue.TakeAsync(TestContext.Current.CancellationToken).AsTask();
        clock.Inner.Advance(TimeSpan.FromMilliseconds(1));

        Assert.False(next.IsCompleted);
        Assert.InRange(clock.Reads, 1, 10);

        clock.Inner.Advance(TimeSpan.FromMilliseconds(1));

        Assert.Same(taken, await next.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken));
        Assert.InRange(clock.Reads, 1, 10);
    }

    /// <summary>
    /// The fake clock, counting the times the queue reads it; past 10,000 reads it throws, which ends a spin (the queue
    /// reads the clock once a turn) instead of hanging the test.
    /// </summary>
    private sealed class CountingClock(FakeTimeProvider inner) : TimeProvider
    {
        private int _reads;

        public FakeTimeProvider Inner { get; } = inner;

        public int Reads => Volatile.Read(ref _reads);

        public override DateTimeOffset GetUtcNow() => Inner.GetUtcNow();

        public override long GetTimestamp()
        {
            if (Interlocked.Increment(ref _reads) > 10_000)
            {
                throw new InvalidOperationException("More than 10,000 reads of the clock: the queue is spinning.");
            }
            return Inner.GetTimestamp();
        }

        public override long TimestampFrequency => Inner.TimestampFrequency;

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
            Inner.CreateTimer(callback, state, dueTime, period);
    }
}
