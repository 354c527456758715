using SpinPet.Core.Candles;
using static SpinPet.Core.Tests.Candles.CandleEvents;

namespace SpinPet.Core.Tests.Candles;

/// <summary>
/// "Final once ingest caught up AND (chain clock has passed the bucket end OR wall clock passed the end by
/// grace)" for an s30 candle at T0: its bucket is [T0, T0 + 30), so the end is T0 + 30.
/// </summary>
public sealed class CandleFinalizerTests
{
    private const long End = T0 + 30;
    private const long EndMs = End * 1000;
    private const int Grace = 2000;

    private static readonly Candle s_open = new(T0, 1, 2, 1, 2, 0, 3, false);

    [Theory]
    // caught up, chain clock
    [InlineData(true, End - 1, 0, false)]
    [InlineData(true, End, 0, true)]
    [InlineData(true, End + 3600, 0, true)]
    // caught up, wall clock
    [InlineData(true, End - 1, EndMs, false)]
    [InlineData(true, End - 1, EndMs + Grace - 1, false)]
    [InlineData(true, End - 1, EndMs + Grace, true)]
    [InlineData(true, T0, EndMs + 60_000, true)]
    // caught up, both
    [InlineData(true, End, EndMs + Grace, true)]
    // backfill pending: never final, whatever the clocks say
    [InlineData(false, End - 1, 0, false)]
    [InlineData(false, End, 0, false)]
    [InlineData(false, End - 1, EndMs + Grace, false)]
    [InlineData(false, long.MaxValue, long.MaxValue, false)]
    public void An_open_candle_is_final_only_when_caught_up_and_a_clock_has_passed_its_end(
        bool caughtUp, long chainClock, long wallClockMs, bool expected)
    {
        Assert.Equal(expected, CandleFinalizer.IsFinal(s_open, Interval.S30, chainClock, wallClockMs, caughtUp, Grace));
    }

    [Theory]
    // The chain clock allowed (no backfill pending) while the wall clock is not (something known is unapplied).
    [InlineData(End, null, true)]
    [InlineData(End - 1, null, false)]
    // The wall clock allowed up to a moment: the last slot heard of, when that is older than now.
    [InlineData(null, EndMs + Grace, true)]
    [InlineData(null, EndMs + Grace - 1, false)]
    [InlineData(null, null, false)]
    public void Each_clock_finalizes_only_while_it_is_allowed(long? chainClock, long? wallClockMs, bool expected)
    {
        Assert.Equal(expected, CandleFinalizer.IsFinal(s_open, Interval.S30, chainClock, wallClockMs, Grace));
    }

    [Fact]
    public void A_zero_grace_finalizes_at_the_end_by_the_wall_clock()
    {
        Assert.False(CandleFinalizer.IsFinal(s_open, Interval.S30, 0, EndMs - 1, true, 0));
        Assert.True(CandleFinalizer.IsFinal(s_open, Interval.S30, 0, EndMs, true, 0));
    }

    [Fact]
    public void The_bucket_end_depends_on_the_interval()
    {
        var candle = s_open with { Time = T0 };

        Assert.True(CandleFinalizer.IsFinal(candle, Interval.S1, T0 + 1, 0, true, Grace));
        Assert.False(CandleFinalizer.IsFinal(candle, Interval.M5, T0 + 299, 0, true, Grace));
        Assert.True(CandleFinalizer.IsFinal(candle, Interval.M5, T0 + 300, 0, true, Grace));
        Assert.False(CandleFinalizer.IsFinal(candle, Interval.D1, 0, ((T0 + 86_400) * 1000) + Grace - 1, true, Grace));
    }

    [Fact]
    public void A_final_candle_stays_final()
    {
        var final = CandleFinalizer.MarkFinal(s_open);

        Assert.True(CandleFinalizer.IsFinal(final, Interval.S30, 0, 0, caughtUp: false, Grace));
    }

    [Fact]
    public void Extreme_clocks_and_times_do_not_overflow()
    {
        var last = s_open with { Time = Interval.S30.BucketStart(long.MaxValue) };

        Assert.False(CandleFinalizer.IsFinal(last, Interval.S30, long.MaxValue, long.MaxValue, true, int.MaxValue));
        Assert.True(CandleFinalizer.IsFinal(s_open with { Time = long.MinValue }, Interval.S30, long.MinValue + 30, long.MinValue, true, Grace));
    }

    [Fact]
    public void Mark_final_sets_only_the_flag()
    {
        Assert.Equal(new Candle(T0, 1, 2, 1, 2, 0, 3, true), CandleFinalizer.MarkFinal(s_open));
    }

    [Fact]
    public void A_negative_grace_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => CandleFinalizer.IsFinal(s_open, Interval.S30, 0, 0, true, -1));
    }
}
