using SpinPet.Solana.Rpc;

namespace SpinPet.Solana.Tests.Rpc;

public sealed class BackoffTests
{
    private static readonly TimeSpan Initial = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan Cap = TimeSpan.FromSeconds(30);

    [Fact]
    public void Each_wait_lies_between_half_and_all_of_the_doubled_ceiling_up_to_the_cap()
    {
        var backoff = new Backoff(Initial, Cap);
        for (int attempt = 0; attempt < 40; attempt++)
        {
            Assert.Equal(attempt, backoff.Attempt);
            var ceiling = TimeSpan.FromMilliseconds(Math.Min(Cap.TotalMilliseconds, Initial.TotalMilliseconds * Math.Pow(2, attempt)));
            var wait = backoff.Next();
            Assert.InRange(wait, ceiling / 2, ceiling);
        }
        // 250 ms · 2^7 = 32 s: from the eighth attempt on every wait is capped.
        Assert.Equal(40, backoff.Attempt);
    }

    [Fact]
    public void Waits_never_exceed_the_cap_however_many_attempts_failed()
    {
        var backoff = new Backoff(Initial, Cap);
        for (int i = 0; i < 10_000; i++)
        {
            Assert.InRange(backoff.Next(), TimeSpan.Zero, Cap);
        }
        for (int i = 0; i < 100; i++)
        {
            Assert.InRange(backoff.Next(), Cap / 2, Cap);
        }
    }

    [Fact]
    public void Waits_of_one_attempt_are_jittered_across_their_range()
    {
        // Many clients failing together must not retry in lock step: the same attempt gives spread-out waits.
        var waits = Enumerable.Range(0, 200).Select(_ => new Backoff(Initial, Cap)).Select(b => { b.Next(); b.Next(); return b.Next(); }).ToList();
        Assert.All(waits, w => Assert.InRange(w, TimeSpan.FromMilliseconds(500), TimeSpan.FromMilliseconds(1000)));
        Assert.True(waits.Min() < TimeSpan.FromMilliseconds(625), $"lowest of 200 waits: {waits.Min().TotalMilliseconds} ms");
        Assert.True(waits.Max() > TimeSpan.FromMilliseconds(875), $"highest of 200 waits: {waits.Max().TotalMilliseconds} ms");
    }

    [Fact]
    public void Reset_starts_again_from_the_initial_wait()
    {
        var backoff = new Backoff(Initial, Cap);
        for (int i = 0; i < 12; i++)
        {
            backoff.Next();
        }
        backoff.Reset();
        Assert.Equal(0, backoff.Attempt);
        Assert.InRange(backoff.Next(), Initial / 2, Initial);
        Assert.InRange(backoff.Next(), Initial, Initial * 2);
    }
}
