using SpinPet.Core.Candles;
using SpinPet.Core.Chain;
using SpinPet.Core.Events;

namespace SpinPet.Core.Tests.Candles;

/// <summary>
/// Candles are a pure function of the ordered event list: seeded random streams against the plain reference,
/// and restarts at random points (a new builder seeded with the stored newest candles) against one run.
/// </summary>
public sealed class CandleReplayTests
{
    private const int EventCount = 30_000;

    private static readonly IReadOnlyList<Interval> s_intervals =
        Interval.Effective([Interval.M1, Interval.M15, Interval.H1, Interval.H4, Interval.D1, Interval.Parse("s7")]);

    public static TheoryData<int, long, VolumeUnit> Streams => new()
    {
        { 1, 1_764_057_600, VolumeUnit.None },
        { 2, 1_764_057_600, VolumeUnit.Sol },
        { 3, 1_764_057_613, VolumeUnit.Token },
        { 4, 1_700_000_000, VolumeUnit.Sol },
        { 5, -40_000, VolumeUnit.Token },       // crosses the epoch: negative block times floor correctly
        { 6, 1_764_086_390, VolumeUnit.None },  // starts 10 s before a UTC midnight
    };

    [Theory]
    [MemberData(nameof(Streams))]
    public void Every_candle_matches_the_reference_built_from_the_same_ordered_events(int seed, long startTime, VolumeUnit unit)
    {
        var events = RandomEventStream.Generate(seed, EventCount, startTime);
        var builder = new CandleBuilder(s_intervals, PriceScale.Default, unit);
        var output = new List<CandleUpdate>();
        var built = new Dictionary<(PublicKey, string, long), Candle>();
        var previous = new Dictionary<(PublicKey, string), Candle>();

        foreach (var e in events)
        {
            output.Clear();
            builder.Apply(e, output);
            foreach (var update in output)
            {
                AssertConsistent(update, previous);
                built[(update.Mint, update.Interval.Name, update.Candle.Time)] = update.Candle;
            }
        }

        var expected = ReferenceCandles.Build(events, s_intervals, PriceScale.DefaultExponent, unit, out long expectedLate);
        Assert.Equal(expected.Count, built.Count);
        foreach (var (key, candle) in expected)
        {
            if (!built.TryGetValue(key, out var actual))
            {
                Assert.Fail($"Missing candle {key}");
            }
            Assert.Equal(candle, actual);
        }
        Assert.Equal(expectedLate, builder.LateEvents);
        // The stream must exercise the late-event rule, or this test proves less than it claims.
        Assert.InRange(builder.LateEvents, 1, long.MaxValue);
    }

    [Theory]
    [MemberData(nameof(Streams))]
    public void Restarting_from_stored_newest_candles_at_random_points_changes_nothing(int seed, long startTime, VolumeUnit unit)
    {
        var events = RandomEventStream.Generate(seed, EventCount, startTime);
        var rng = new Random(seed + 77);
        var restarts = Enumerable.Range(0, 12).Select(_ => rng.Next(events.Count)).ToHashSet();
        // Finalization sweeps by the chain clock at fixed points, the same in both runs.
        var sweeps = Enumerable.Range(0, 150).Select(_ => rng.Next(events.Count)).ToHashSet();

        var once = Run(events, unit, restarts: new HashSet<int>(), sweeps);
        var restarted = Run(events, unit, restarts, sweeps);

        Assert.Equal(once.Updates.Count, restarted.Updates.Count);
        Assert.Equal(once.Updates, restarted.Updates);
        Assert.Equal(once.Finalized, restarted.Finalized);
        Assert.Equal(once.LateEvents, restarted.LateEvents);
        Assert.NotEmpty(once.Finalized);
    }

    private static (List<CandleUpdate> Updates, List<TopicCandle> Finalized, long LateEvents) Run(
        List<ChainEvent> events, VolumeUnit unit, IReadOnlySet<int> restarts, IReadOnlySet<int> sweeps)
    {
        var updates = new List<CandleUpdate>();
        var finalized = new List<TopicCandle>();
        // What storage would hold as each topic's newest candle: the state a restart loads.
        var stored = new Dictionary<(PublicKey, Interval), Candle>();
        var builder = new CandleBuilder(s_intervals, PriceScale.Default, unit);
        var output = new List<CandleUpdate>();
        long late = 0;
        long chainClock = long.MinValue;

        for (int i = 0; i < events.Count; i++)
        {
            if (restarts.Contains(i))
            {
                late += builder.LateEvents;
                builder = new CandleBuilder(s_intervals, PriceScale.Default, unit);
                foreach (var ((mint, interval), candle) in stored)
                {
                    builder.Seed(mint, interval, candle);
                }
            }
            if (sweeps.Contains(i))
            {
                var sweep = new List<TopicCandle>();
                foreach (var open in builder.OpenCandles())
                {
                    if (CandleFinalizer.IsFinal(open.Candle, open.Interval, chainClock, wallClockUnixMs: 0, caughtUp: true, graceMs: 2000))
                    {
                        Assert.True(builder.MarkFinal(open.Mint, open.Interval, open.Candle.Time, out var final));
                        stored[(open.Mint, open.Interval)] = final;
                        sweep.Add(open with { Candle = final });
                    }
                }
                // Dictionary order differs after a restart; the set of candles finalized may not.
                sweep.Sort((a, b) => (a.Mint.CompareTo(b.Mint), a.Interval.CompareTo(b.Interval)) switch
                {
                    (0, var byInterval) => byInterval,
                    (var byMint, _) => byMint,
                });
                finalized.AddRange(sweep);
            }

            output.Clear();
            builder.Apply(events[i], output);
            chainClock = Math.Max(chainClock, events[i].BlockTime);
            foreach (var update in output)
            {
                if (update.Kind != CandleUpdateKind.Closed)
                {
                    stored[(update.Mint, update.Interval)] = update.Candle;
                }
            }
            updates.AddRange(output);
        }
        return (updates, finalized, late + builder.LateEvents);
    }

    private static void AssertConsistent(CandleUpdate update, Dictionary<(PublicKey, string), Candle> previous)
    {
        var c = update.Candle;
        if (!(c.Low <= Math.Min(c.Open, c.Close) && c.High >= Math.Max(c.Open, c.Close)))
        {
            Assert.Fail($"Low/high do not include open and close: {c}");
        }
        Assert.Equal(c.Time, update.Interval.BucketStart(c.Time));
        Assert.False(c.IsFinal);

        var key = (update.Mint, update.Interval.Name);
        bool hadPrevious = previous.TryGetValue(key, out var before);
        switch (update.Kind)
        {
            case CandleUpdateKind.Closed:
                Assert.Equal(before, c);
                break;
            case CandleUpdateKind.Opened:
                Assert.Equal(1, c.UpdateCount);
                if (hadPrevious)
                {
                    Assert.True(c.Time > before.Time);
                    Assert.Equal(before.Close, c.Open);
                }
                previous[key] = c;
                break;
            case CandleUpdateKind.Updated:
                Assert.Equal(before.Time, c.Time);
                Assert.Equal(before.UpdateCount + 1, c.UpdateCount);
                Assert.Equal(before.Open, c.Open);
                previous[key] = c;
                break;
        }
    }
}
