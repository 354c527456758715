using SpinPet.Core.Candles;
using static SpinPet.Core.Tests.Candles.CandleEvents;

namespace SpinPet.Core.Tests.Candles;

/// <summary>
/// The clock a finalization travels in the batch stream as (<see cref="CandleFinalizer.FinalizeBy"/>) finalizes exactly
/// what <see cref="CandleFinalizer.IsFinal(Candle, Interval, long?, long?, int)"/> finalizes, and the builder's earliest
/// open bucket end is the least end among its open candles, so the ingest appends a clock exactly when one is due.
/// </summary>
public sealed class FinalizeByTests
{
    [Fact]
    public void The_clock_finalizes_the_same_candles_as_the_two_clock_rule()
    {
        var rng = new Random(5);
        Interval[] intervals = [Interval.S1, Interval.S30, Interval.M5, Interval.H1, Interval.D1];
        for (int i = 0; i < 200_000; i++)
        {
            var interval = intervals[rng.Next(intervals.Length)];
            long time = interval.BucketStart(T0 + rng.NextInt64(-100_000, 100_000));
            var candle = new Candle(time, 1, 1, 1, 1, 0, 1, IsFinal: false);
            long end = time + interval.Seconds;
            long? chain = rng.Next(3) == 0 ? null : end + rng.Next(-5, 5);
            long? wall = rng.Next(3) == 0 ? null : (end * 1000) + rng.Next(-8_000, 8_000);
            int grace = rng.Next(4) switch { 0 => 0, 1 => 999, 2 => 1_000, _ => rng.Next(0, 5_000) };

            bool expected = CandleFinalizer.IsFinal(candle, interval, chain, wall, grace);
            var by = CandleFinalizer.FinalizeBy(chain, wall, grace);

            Assert.Equal(expected, by is { } clock && CandleFinalizer.IsEndedBy(candle, interval, clock));
        }
    }

    [Theory]
    [InlineData(null, null, 0, null)]
    [InlineData(1_000L, null, 0, 1_000L)]
    [InlineData(null, 1_000_999L, 0, 1_000L)]
    [InlineData(null, 1_001_000L, 0, 1_001L)]
    [InlineData(null, 1_003_500L, 2_000, 1_001L)]
    [InlineData(1_005L, 1_003_500L, 2_000, 1_005L)]
    [InlineData(null, -1L, 0, -1L)]
    [InlineData(null, -1_000L, 1, -2L)]
    public void The_wall_clock_minus_the_grace_is_floored_to_a_whole_second(long? chain, long? wallMs, int grace, long? expected)
    {
        Assert.Equal(expected, CandleFinalizer.FinalizeBy(chain, wallMs, grace));
    }

    [Fact]
    public void The_earliest_open_end_is_the_least_bucket_end_of_the_candles_not_final_through_opens_closes_finals_and_seeds()
    {
        var builder = new CandleBuilder([Interval.S1, Interval.S30, Interval.M5], Core.Events.PriceScale.Default, VolumeUnit.Sol);
        var updates = new List<CandleUpdate>();
        var rng = new Random(9);
        int checks = 0;
        foreach (var ev in RandomEventStream.Generate(seed: 9, count: 20_000, startTime: T0, mintCount: 12))
        {
            updates.Clear();
            builder.Apply(ev, updates);
            if (rng.Next(10) == 0)
            {
                // Finalize by a clock a little behind or ahead of the event, as the ingest does between batches.
                long by = ev.BlockTime + rng.Next(-30, 40);
                foreach (var open in builder.OpenCandles().ToList())
                {
                    if (CandleFinalizer.IsEndedBy(open.Candle, open.Interval, by))
                    {
                        builder.MarkFinal(open.Mint, open.Interval, open.Candle.Time, out _);
                    }
                }
            }
            if (rng.Next(200) == 0)
            {
                // A reseed of one open candle (what a restart does) must not leave its old end behind.
                var open = builder.OpenCandles().Take(1).ToList();
                if (open.Count == 1)
                {
                    builder.Seed(open[0].Mint, open[0].Interval, open[0].Candle);
                }
            }
            var brute = builder.OpenCandles().Select(c => (long?)CandleFinalizer.End(c.Candle, c.Interval)).DefaultIfEmpty(null).Min();
            Assert.Equal(brute, builder.EarliestOpenEnd);
            checks++;
        }
        Assert.Equal(20_000, checks);
    }
}
