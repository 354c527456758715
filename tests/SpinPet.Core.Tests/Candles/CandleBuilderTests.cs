using SpinPet.Core.Candles;
using SpinPet.Core.Chain;
using SpinPet.Core.Events;
using static SpinPet.Core.Tests.Candles.CandleEvents;

namespace SpinPet.Core.Tests.Candles;

/// <summary>The OHLC rules of candles.md, event by event. Exponent 0 makes a raw price its own SOL price.</summary>
public sealed class CandleBuilderTests
{
    private static readonly PriceScale s_unitScale = new(0);
    private static readonly PublicKey s_mint = Key(1);
    private static readonly PublicKey s_otherMint = Key(2);

    private readonly List<CandleUpdate> _output = [];

    private static CandleBuilder NewBuilder(VolumeUnit volumeUnit = VolumeUnit.None) =>
        new(Interval.Required, s_unitScale, volumeUnit);

    private List<CandleUpdate> Apply(CandleBuilder builder, long time, SpinPetEvent ev)
    {
        _output.Clear();
        builder.Apply(At(time, ev), _output);
        return _output;
    }

    [Fact]
    public void First_event_opens_a_candle_per_interval_at_its_price()
    {
        var builder = NewBuilder();

        var updates = Apply(builder, T0 + 31, BuySell(s_mint, 100));

        Assert.Equal(
            [
                new CandleUpdate(s_mint, Interval.S1, new Candle(T0 + 31, 100, 100, 100, 100, 0, 1, false), CandleUpdateKind.Opened),
                new CandleUpdate(s_mint, Interval.S30, new Candle(T0 + 30, 100, 100, 100, 100, 0, 1, false), CandleUpdateKind.Opened),
                new CandleUpdate(s_mint, Interval.M5, new Candle(T0, 100, 100, 100, 100, 0, 1, false), CandleUpdateKind.Opened),
            ],
            updates);
    }

    [Fact]
    public void Events_in_the_same_bucket_move_high_low_close_and_count()
    {
        var builder = NewBuilder();
        Apply(builder, T0, BuySell(s_mint, 100));
        Apply(builder, T0, BuySell(s_mint, 130));
        Apply(builder, T0, BuySell(s_mint, 90));

        var updates = Apply(builder, T0, BuySell(s_mint, 110));

        Assert.All(updates, u => Assert.Equal(CandleUpdateKind.Updated, u.Kind));
        Assert.All(updates, u => Assert.Equal(new Candle(T0, 100, 130, 90, 110, 0, 4, false), u.Candle));
    }

    [Fact]
    public void A_new_bucket_opens_at_the_previous_close_and_its_high_and_low_include_the_open()
    {
        var builder = NewBuilder();
        Apply(builder, T0, BuySell(s_mint, 100));
        Apply(builder, T0, BuySell(s_mint, 105));

        var up = Apply(builder, T0 + 1, BuySell(s_mint, 120)).ToList();
        var down = Apply(builder, T0 + 2, BuySell(s_mint, 80)).ToList();

        Assert.Equal(
            [
                new CandleUpdate(s_mint, Interval.S1, new Candle(T0, 100, 105, 100, 105, 0, 2, false), CandleUpdateKind.Closed),
                new CandleUpdate(s_mint, Interval.S1, new Candle(T0 + 1, 105, 120, 105, 120, 0, 1, false), CandleUpdateKind.Opened),
                new CandleUpdate(s_mint, Interval.S30, new Candle(T0, 100, 120, 100, 120, 0, 3, false), CandleUpdateKind.Updated),
                new CandleUpdate(s_mint, Interval.M5, new Candle(T0, 100, 120, 100, 120, 0, 3, false), CandleUpdateKind.Updated),
            ],
            up);
        Assert.Equal(new Candle(T0 + 2, 120, 120, 80, 80, 0, 1, false), down[1].Candle);
        Assert.Equal(new Candle(T0, 100, 120, 80, 80, 0, 4, false), down[2].Candle);
    }

    [Fact]
    public void Buckets_without_events_get_no_filler_candles()
    {
        var builder = NewBuilder();
        Apply(builder, T0, BuySell(s_mint, 100));

        var updates = Apply(builder, T0 + 3600, BuySell(s_mint, 200));

        var s1 = updates.Where(u => u.Interval == Interval.S1).ToList();
        Assert.Equal([CandleUpdateKind.Closed, CandleUpdateKind.Opened], s1.Select(u => u.Kind));
        Assert.Equal([T0, T0 + 3600], s1.Select(u => u.Candle.Time));
        Assert.Equal(new Candle(T0 + 3600, 100, 200, 100, 200, 0, 1, false), s1[1].Candle);
        Assert.Equal(6, updates.Count);
    }

    [Fact]
    public void Every_price_event_kind_moves_candles()
    {
        var builder = NewBuilder();
        Apply(builder, T0, BuySell(s_mint, 100));
        Apply(builder, T0, LongShort(s_mint, 140));
        Apply(builder, T0, FullClose(s_mint, 60));
        Apply(builder, T0, PartialClose(s_mint, 70));

        Assert.True(builder.TryGetNewest(s_mint, Interval.S1, out var candle));
        Assert.Equal(new Candle(T0, 100, 140, 60, 70, 0, 4, false), candle);
    }

    [Fact]
    public void Events_without_a_price_produce_nothing()
    {
        var builder = NewBuilder();

        Assert.Empty(Apply(builder, T0, ForceLiquidate(s_mint)));
        Assert.Empty(Apply(builder, T0, MilestoneDiscount(s_mint)));
        Assert.Empty(Apply(builder, T0, TokenCreated(s_mint)));
        Assert.False(builder.TryGetNewest(s_mint, Interval.S1, out _));
        Assert.Equal(0, builder.MintCount);
    }

    [Fact]
    public void Mints_have_separate_candles()
    {
        var builder = NewBuilder();
        Apply(builder, T0, BuySell(s_mint, 100));

        var other = Apply(builder, T0 + 1, BuySell(s_otherMint, 7));

        Assert.All(other, u => Assert.Equal(s_otherMint, u.Mint));
        Assert.All(other, u => Assert.Equal(CandleUpdateKind.Opened, u.Kind));
        Assert.True(builder.TryGetNewest(s_mint, Interval.S1, out var first));
        Assert.Equal(new Candle(T0, 100, 100, 100, 100, 0, 1, false), first);
        Assert.Equal(2, builder.MintCount);
    }

    [Fact]
    public void Volume_is_zero_when_the_unit_is_none()
    {
        var builder = NewBuilder(VolumeUnit.None);
        Apply(builder, T0, BuySell(s_mint, 100, solAmount: 2_000_000_000, tokenAmount: 3_000_000));

        Assert.True(builder.TryGetNewest(s_mint, Interval.S1, out var candle));
        Assert.Equal(0, candle.Volume);
    }

    [Theory]
    [InlineData(VolumeUnit.Sol, 2.5 + 0.25)]
    [InlineData(VolumeUnit.Token, 3 + 0.5)]
    public void Volume_sums_spot_trades_in_the_configured_unit(VolumeUnit unit, double expected)
    {
        var builder = NewBuilder(unit);
        Apply(builder, T0, BuySell(s_mint, 100, solAmount: 2_500_000_000, tokenAmount: 3_000_000));
        Apply(builder, T0, LongShort(s_mint, 100));
        Apply(builder, T0, FullClose(s_mint, 100));
        Apply(builder, T0, PartialClose(s_mint, 100));
        Apply(builder, T0, BuySell(s_mint, 100, solAmount: 250_000_000, tokenAmount: 500_000));

        Assert.True(builder.TryGetNewest(s_mint, Interval.S1, out var candle));
        Assert.Equal(expected, candle.Volume);
        Assert.Equal(5, candle.UpdateCount);

        var next = Apply(builder, T0 + 1, BuySell(s_mint, 100, solAmount: 1_000_000_000, tokenAmount: 1_000_000));
        Assert.Equal(1, next[1].Candle.Volume);
    }

    [Fact]
    public void Volume_is_the_exact_sum_in_base_units_written_once_in_sol()
    {
        // Three trades of one bucket of the wire transcript: summed as SOL doubles they gave 0.35503318899999997.
        var builder = NewBuilder(VolumeUnit.Sol);
        Apply(builder, T0, BuySell(s_mint, 100, solAmount: 100_000_001, tokenAmount: 1));
        Apply(builder, T0, BuySell(s_mint, 100, solAmount: 200_000_002, tokenAmount: 1));
        Apply(builder, T0, BuySell(s_mint, 100, solAmount: 55_033_186, tokenAmount: 1));
        for (int i = 0; i < 1000; i++)
        {
            Apply(builder, T0, BuySell(s_mint, 100, solAmount: 100_000_000, tokenAmount: 1));
        }

        Assert.True(builder.TryGetNewest(s_mint, Interval.S1, out var candle));
        Assert.Equal("100.355033189", candle.Volume.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Volume_contribution_converts_lamports_and_six_decimal_base_units()
    {
        var trade = BuySell(s_mint, 1, solAmount: 1_234_567_891, tokenAmount: 1_073_000_000_000_000);

        Assert.Equal(1.234567891, CandleVolume.Contribution(VolumeUnit.Sol, trade));
        Assert.Equal(1_073_000_000, CandleVolume.Contribution(VolumeUnit.Token, trade));
        Assert.Equal(0, CandleVolume.Contribution(VolumeUnit.None, trade));
        Assert.Equal(0, CandleVolume.Contribution(VolumeUnit.Sol, FullClose(s_mint, 1)));
    }

    [Fact]
    public void An_event_older_than_the_newest_bucket_is_skipped_and_counted_per_interval()
    {
        var builder = NewBuilder();
        Apply(builder, T0 + 40, BuySell(s_mint, 100));

        // Block time went back 15 s: older s1 and s30 buckets (skipped), the same m5 bucket (applied).
        var updates = Apply(builder, T0 + 25, BuySell(s_mint, 50));

        var m5 = Assert.Single(updates);
        Assert.Equal(new CandleUpdate(s_mint, Interval.M5, new Candle(T0, 100, 100, 50, 50, 0, 2, false), CandleUpdateKind.Updated), m5);
        Assert.Equal(2, builder.LateEvents);
        Assert.True(builder.TryGetNewest(s_mint, Interval.S1, out var s1));
        Assert.Equal(new Candle(T0 + 40, 100, 100, 100, 100, 0, 1, false), s1);
        Assert.True(builder.TryGetNewest(s_mint, Interval.S30, out var s30));
        Assert.Equal(new Candle(T0 + 30, 100, 100, 100, 100, 0, 1, false), s30);
    }

    [Fact]
    public void A_time_regression_inside_the_newest_bucket_still_updates_it()
    {
        var builder = new CandleBuilder([Interval.M5], s_unitScale, VolumeUnit.None);
        Apply(builder, T0 + 200, BuySell(s_mint, 100));

        var updates = Apply(builder, T0 + 10, BuySell(s_mint, 90));

        Assert.Equal(new Candle(T0, 100, 100, 90, 90, 0, 2, false), Assert.Single(updates).Candle);
        Assert.Equal(0, builder.LateEvents);
    }

    [Fact]
    public void A_final_candle_is_never_changed_by_a_later_event_for_its_bucket()
    {
        var builder = NewBuilder();
        Apply(builder, T0, BuySell(s_mint, 100));
        Assert.True(builder.MarkFinal(s_mint, Interval.S1, T0, out var final));
        Assert.Equal(new Candle(T0, 100, 100, 100, 100, 0, 1, true), final);

        var updates = Apply(builder, T0, BuySell(s_mint, 500));

        Assert.Equal([Interval.S30, Interval.M5], updates.Select(u => u.Interval));
        Assert.Equal(1, builder.LateEvents);
        Assert.True(builder.TryGetNewest(s_mint, Interval.S1, out var s1));
        Assert.Equal(final, s1);
    }

    [Fact]
    public void After_a_final_candle_the_next_bucket_opens_at_its_close_without_a_second_closure()
    {
        var builder = NewBuilder();
        Apply(builder, T0, BuySell(s_mint, 100));
        builder.MarkFinal(s_mint, Interval.S1, T0, out _);

        var updates = Apply(builder, T0 + 1, BuySell(s_mint, 300));

        var s1 = Assert.Single(updates, u => u.Interval == Interval.S1);
        Assert.Equal(new Candle(T0 + 1, 100, 300, 100, 300, 0, 1, false), s1.Candle);
        Assert.Equal(CandleUpdateKind.Opened, s1.Kind);
    }

    [Fact]
    public void Mark_final_turns_only_the_named_open_newest_candle_final_once()
    {
        var builder = NewBuilder();
        Apply(builder, T0, BuySell(s_mint, 100));

        Assert.False(builder.MarkFinal(s_mint, Interval.S1, T0 + 1, out _));
        Assert.False(builder.MarkFinal(s_otherMint, Interval.S1, T0, out _));
        Assert.False(builder.MarkFinal(s_mint, Interval.H1, T0, out _));
        Assert.True(builder.MarkFinal(s_mint, Interval.S1, T0, out _));
        Assert.False(builder.MarkFinal(s_mint, Interval.S1, T0, out _));
    }

    [Fact]
    public void Open_candles_list_every_newest_candle_not_yet_final()
    {
        var builder = NewBuilder();
        Apply(builder, T0, BuySell(s_mint, 100));
        Apply(builder, T0 + 1, BuySell(s_mint, 101));
        Apply(builder, T0, BuySell(s_otherMint, 5));

        // Marking while enumerating is allowed: the finalizer sweeps this way.
        foreach (var open in builder.OpenCandles())
        {
            if (open.Interval == Interval.S30)
            {
                builder.MarkFinal(open.Mint, open.Interval, open.Candle.Time, out _);
            }
        }

        var remaining = builder.OpenCandles().ToList();
        Assert.Equal(4, remaining.Count);
        Assert.DoesNotContain(remaining, c => c.Interval == Interval.S30);
        Assert.Contains(new TopicCandle(s_mint, Interval.S1, new Candle(T0 + 1, 100, 101, 100, 101, 0, 1, false)), remaining);
    }

    [Fact]
    public void Open_candles_follow_finalizing_reopening_and_seeding()
    {
        var builder = NewBuilder();
        Apply(builder, T0, BuySell(s_mint, 100));
        foreach (var open in builder.OpenCandles())
        {
            builder.MarkFinal(open.Mint, open.Interval, open.Candle.Time, out _);
        }
        Assert.Empty(builder.OpenCandles());

        // A new s1 bucket opens; s30 and m5 stay final (the event is late for them).
        Apply(builder, T0 + 1, BuySell(s_mint, 101));
        Assert.Equal([(s_mint, Interval.S1, T0 + 1)], builder.OpenCandles().Select(c => (c.Mint, c.Interval, c.Candle.Time)));

        // Seeding replaces a topic's newest candle: an open one is listed, a final one is not.
        builder.Seed(s_otherMint, Interval.S30, new Candle(T0, 5, 5, 5, 5, 0, 1, IsFinal: true));
        builder.Seed(s_otherMint, Interval.M5, new Candle(T0, 5, 5, 5, 5, 0, 1, IsFinal: false));
        builder.Seed(s_mint, Interval.S1, new Candle(T0 + 1, 101, 101, 101, 101, 0, 1, IsFinal: true));
        Assert.Equal([(s_otherMint, Interval.M5, T0)], builder.OpenCandles().Select(c => (c.Mint, c.Interval, c.Candle.Time)));
    }

    [Fact]
    public void A_seeded_builder_continues_where_the_stored_newest_candle_left_off()
    {
        var uninterrupted = NewBuilder(VolumeUnit.Sol);
        Apply(uninterrupted, T0, BuySell(s_mint, 100, solAmount: 1_000_000_000));
        Apply(uninterrupted, T0, BuySell(s_mint, 120, solAmount: 1_000_000_000));
        var expected = Apply(uninterrupted, T0 + 1, BuySell(s_mint, 90, solAmount: 1_000_000_000)).ToList();

        var restarted = NewBuilder(VolumeUnit.Sol);
        var stored = new Candle(T0, 100, 120, 100, 120, 2, 2, false);
        restarted.Seed(s_mint, Interval.S1, stored);
        restarted.Seed(s_mint, Interval.S30, stored);
        restarted.Seed(s_mint, Interval.M5, stored);
        var actual = Apply(restarted, T0 + 1, BuySell(s_mint, 90, solAmount: 1_000_000_000));

        Assert.Equal(expected, actual);
    }

    [Fact]
    public void A_seeded_final_candle_makes_events_for_its_bucket_late()
    {
        var builder = NewBuilder();
        builder.Seed(s_mint, Interval.S1, new Candle(T0, 1, 2, 1, 2, 0, 3, true));

        var updates = Apply(builder, T0, BuySell(s_mint, 5));

        Assert.DoesNotContain(updates, u => u.Interval == Interval.S1);
        Assert.Equal(1, builder.LateEvents);
    }

    [Fact]
    public void Seeding_refuses_candles_that_cannot_come_from_storage()
    {
        var builder = NewBuilder();

        Assert.Throws<ArgumentException>(() => builder.Seed(s_mint, Interval.H1, new Candle(T0, 1, 1, 1, 1, 0, 1, false)));
        Assert.Throws<ArgumentException>(() => builder.Seed(s_mint, Interval.S30, new Candle(T0 + 1, 1, 1, 1, 1, 0, 1, false)));
        Assert.Throws<ArgumentException>(() => builder.Seed(s_mint, Interval.S1, new Candle(T0, 1, 1, 1, 1, 0, 0, false)));
        Assert.False(builder.TryGetNewest(s_mint, Interval.S1, out _));
    }

    [Fact]
    public void The_builder_refuses_an_unusable_configuration()
    {
        Assert.Throws<ArgumentException>(() => new CandleBuilder([], PriceScale.Default, VolumeUnit.None));
        Assert.Throws<ArgumentException>(() => new CandleBuilder([Interval.S1, Interval.S1], PriceScale.Default, VolumeUnit.None));
        Assert.Throws<ArgumentException>(() => new CandleBuilder([default], PriceScale.Default, VolumeUnit.None));
        Assert.Throws<ArgumentException>(() => new CandleBuilder(Interval.Required, default, VolumeUnit.None));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CandleBuilder(Interval.Required, PriceScale.Default, (VolumeUnit)7));
    }

    [Fact]
    public void Applying_events_in_steady_state_allocates_nothing()
    {
        var builder = new CandleBuilder(Interval.Effective([Interval.M1, Interval.M15, Interval.H1, Interval.H4, Interval.D1]), PriceScale.Default, VolumeUnit.Sol);
        var mints = Enumerable.Range(0, 50).Select(Key).ToArray();
        // Seven rounds of 20,000 events, each round later in time, so the measured rounds open new buckets too.
        var rounds = Enumerable.Range(0, 7)
            .Select(round => Enumerable.Range(0, 20_000)
                .Select(i => At(T0 + (round * 100_000L) + (i / 7), BuySell(mints[i % mints.Length], (UInt128)(1_000_000 + i), solAmount: (ulong)i)))
                .ToArray())
            .ToArray();
        var output = new List<CandleUpdate>(64);
        foreach (var e in rounds[0])
        {
            output.Clear();
            builder.Apply(e, output);
        }

        // Three measurements of two rounds each; the least is taken. The runtime itself may allocate on this thread
        // now and then (tiered compilation swapping in optimized code once seen under a loaded CI machine: 2,328
        // bytes), but an allocation of the builder's own happens per event, so it shows in every measurement.
        long least = long.MaxValue;
        for (int measurement = 0; measurement < 3; measurement++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            foreach (var round in rounds.AsSpan(1 + (2 * measurement), 2))
            {
                foreach (var e in round)
                {
                    output.Clear();
                    builder.Apply(e, output);
                }
            }
            least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        Assert.Equal(0, least);
    }
}
