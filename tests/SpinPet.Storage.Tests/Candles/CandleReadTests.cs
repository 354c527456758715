using SpinPet.Core.Candles;
using static SpinPet.Storage.Tests.Candles.CandleData;

namespace SpinPet.Storage.Tests.Candles;

public sealed class CandleReadTests
{
    /// <summary>Candles of s30 at 0, 30, …, 270 (ten) for mint 1, with neighbours on both sides of its key range.</summary>
    private static StoreFixture TenCandles()
    {
        var fixture = new StoreFixture();
        fixture.Store.WriteCandles(Series(1, Interval.S30, Enumerable.Range(0, 10).Select(i => i * 30L)));
        // Same mint, shorter and longer intervals; other mints: a read must never step into them.
        fixture.Store.WriteCandles(Series(1, Interval.S1, [-5, 0, 1, 1_000]));
        fixture.Store.WriteCandles(Series(1, Interval.M5, [0, 300]));
        fixture.Store.WriteCandles(Series(2, Interval.S30, [-30, 0, 30, 600]));
        fixture.Store.WriteCandles(Series(3, Interval.S30, [0, 30]));
        return fixture;
    }

    [Fact]
    public void Newest_returns_the_latest_candles_newest_first_with_has_more_when_older_ones_exist()
    {
        using var fixture = TenCandles();

        var page = fixture.Store.Candles.ReadCandlesNewest(Mint(1), Interval.S30, 3);

        Assert.Equal([270, 240, 210], Times(page));
        Assert.True(page.HasMore);
    }

    [Theory]
    [InlineData(9, true)]
    [InlineData(10, false)]
    [InlineData(11, false)]
    [InlineData(1_000, false)]
    public void Newest_has_more_exactly_when_the_topic_holds_more_than_the_limit(int limit, bool hasMore)
    {
        using var fixture = TenCandles();

        var page = fixture.Store.Candles.ReadCandlesNewest(Mint(1), Interval.S30, limit);

        Assert.Equal(Math.Min(limit, 10), page.Candles.Count);
        Assert.Equal(hasMore, page.HasMore);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => i * 30L).Reverse().Take(limit), Times(page));
    }

    [Fact]
    public void Skip_steps_over_candles_of_the_window_without_returning_them_and_counts_their_keys()
    {
        using var fixture = TenCandles();
        var store = fixture.Store;
        long before = store.Candles.CandleKeysRead;

        var newest = store.Candles.ReadCandlesNewest(Mint(1), Interval.S30, 3, beforeTime: 270, skip: 2);
        long newestKeys = store.Candles.CandleKeysRead - before;
        var oldest = store.Candles.ReadCandlesFrom(Mint(1), Interval.S30, 30, 3, toTime: 240, skip: 5);
        var past = store.Candles.ReadCandlesNewest(Mint(1), Interval.S30, 3, skip: 10);

        // Window < 270 newest first: 240, 210 skipped; 180, 150, 120 returned; 90 is the look-ahead.
        Assert.Equal([180, 150, 120], Times(newest));
        Assert.True(newest.HasMore);
        Assert.Equal(6, newestKeys);
        // Window 30…240 oldest first: 30…150 skipped; 180, 210, 240 returned; nothing after.
        Assert.Equal([180, 210, 240], Times(oldest));
        Assert.False(oldest.HasMore);
        Assert.Empty(past.Candles);
        Assert.False(past.HasMore);
    }

    [Fact]
    public void An_empty_topic_returns_no_candles_and_no_more()
    {
        using var fixture = TenCandles();

        CandlePage[] pages =
        [
            fixture.Store.Candles.ReadCandlesNewest(Mint(9), Interval.S30, 100),
            fixture.Store.Candles.ReadCandlesFrom(Mint(9), Interval.S30, long.MinValue, 100),
            fixture.Store.Candles.ReadCandlesNewest(Mint(1), Interval.H1, 100),
        ];

        Assert.All(pages, page => Assert.Empty(page.Candles));
        Assert.All(pages, page => Assert.False(page.HasMore));
        Assert.False(fixture.Store.Candles.TryGetNewestCandle(Mint(9), Interval.S30, out _));
        Assert.Equal(0, fixture.Store.Candles.CountCandles(Mint(9), Interval.S30));
    }

    [Fact]
    public void A_limit_of_zero_returns_nothing_but_tells_whether_candles_exist()
    {
        using var fixture = TenCandles();

        Assert.True(fixture.Store.Candles.ReadCandlesNewest(Mint(1), Interval.S30, 0).HasMore);
        Assert.False(fixture.Store.Candles.ReadCandlesNewest(Mint(1), Interval.S30, 0, beforeTime: 0).HasMore);
        Assert.Empty(fixture.Store.Candles.ReadCandlesFrom(Mint(1), Interval.S30, 0, 0).Candles);
        Assert.Throws<ArgumentOutOfRangeException>(() => fixture.Store.Candles.ReadCandlesNewest(Mint(1), Interval.S30, -1));
    }

    [Fact]
    public void Before_is_exclusive_and_pages_back_through_the_whole_topic()
    {
        using var fixture = TenCandles();
        var seen = new List<long>();
        long? before = null;
        int pages = 0;

        while (true)
        {
            var page = fixture.Store.Candles.ReadCandlesNewest(Mint(1), Interval.S30, 4, beforeTime: before);
            seen.AddRange(Times(page));
            pages++;
            if (!page.HasMore)
            {
                break;
            }
            before = page.Candles[^1].Time;
        }

        Assert.Equal(3, pages);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => i * 30L).Reverse(), seen);
        Assert.Equal([60, 30, 0], Times(fixture.Store.Candles.ReadCandlesNewest(Mint(1), Interval.S30, 10, beforeTime: 90)));
        Assert.Equal([60, 30, 0], Times(fixture.Store.Candles.ReadCandlesNewest(Mint(1), Interval.S30, 10, beforeTime: 61)));
    }

    [Fact]
    public void To_is_inclusive_and_the_tighter_of_before_and_to_wins()
    {
        using var fixture = TenCandles();

        Assert.Equal([90, 60], Times(fixture.Store.Candles.ReadCandlesNewest(Mint(1), Interval.S30, 2, toTime: 90)));
        Assert.True(fixture.Store.Candles.ReadCandlesNewest(Mint(1), Interval.S30, 2, toTime: 90).HasMore);
        Assert.Equal([60, 30], Times(fixture.Store.Candles.ReadCandlesNewest(Mint(1), Interval.S30, 2, beforeTime: 90, toTime: 200)));
        Assert.Equal([90, 60], Times(fixture.Store.Candles.ReadCandlesNewest(Mint(1), Interval.S30, 2, beforeTime: 200, toTime: 90)));
        Assert.Equal([90, 60], Times(fixture.Store.Candles.ReadCandlesNewest(Mint(1), Interval.S30, 2, beforeTime: 91, toTime: 90)));
        Assert.Empty(fixture.Store.Candles.ReadCandlesNewest(Mint(1), Interval.S30, 2, toTime: -1).Candles);
    }

    [Fact]
    public void From_returns_the_oldest_candles_at_or_after_the_time_oldest_first()
    {
        using var fixture = TenCandles();

        var page = fixture.Store.Candles.ReadCandlesFrom(Mint(1), Interval.S30, 60, 3);

        Assert.Equal([60, 90, 120], Times(page));
        Assert.True(page.HasMore);
        Assert.Equal([90, 120, 150], Times(fixture.Store.Candles.ReadCandlesFrom(Mint(1), Interval.S30, 61, 3)));
        Assert.Equal([0, 30], Times(fixture.Store.Candles.ReadCandlesFrom(Mint(1), Interval.S30, long.MinValue, 2)));
    }

    [Theory]
    [InlineData(6, false)]
    [InlineData(5, true)]
    [InlineData(7, false)]
    public void From_has_more_exactly_when_a_newer_candle_lies_beyond_the_page(int limit, bool hasMore)
    {
        using var fixture = TenCandles();

        // 120 … 270 is six candles.
        var page = fixture.Store.Candles.ReadCandlesFrom(Mint(1), Interval.S30, 120, limit);

        Assert.Equal(Math.Min(limit, 6), page.Candles.Count);
        Assert.Equal(hasMore, page.HasMore);
    }

    [Fact]
    public void From_with_to_stops_at_to_and_has_more_only_within_it()
    {
        using var fixture = TenCandles();

        var page = fixture.Store.Candles.ReadCandlesFrom(Mint(1), Interval.S30, 60, 3, toTime: 120);
        Assert.Equal([60, 90, 120], Times(page));
        Assert.False(page.HasMore);

        page = fixture.Store.Candles.ReadCandlesFrom(Mint(1), Interval.S30, 60, 2, toTime: 120);
        Assert.Equal([60, 90], Times(page));
        Assert.True(page.HasMore);

        Assert.Empty(fixture.Store.Candles.ReadCandlesFrom(Mint(1), Interval.S30, 121, 10, toTime: 120).Candles);
        Assert.Equal([270], Times(fixture.Store.Candles.ReadCandlesFrom(Mint(1), Interval.S30, 270, 10, toTime: long.MaxValue)));
    }

    [Fact]
    public void Reads_never_cross_into_neighbouring_topics()
    {
        using var fixture = TenCandles();

        Assert.Equal([-30, 0, 30, 600], Times(fixture.Store.Candles.ReadCandlesFrom(Mint(2), Interval.S30, long.MinValue, 100)));
        Assert.Equal([1_000, 1, 0, -5], Times(fixture.Store.Candles.ReadCandlesNewest(Mint(1), Interval.S1, 100)));
        Assert.Equal([300, 0], Times(fixture.Store.Candles.ReadCandlesNewest(Mint(1), Interval.M5, 100)));
        Assert.Equal([-30], Times(fixture.Store.Candles.ReadCandlesNewest(Mint(2), Interval.S30, 100, beforeTime: 0)));
    }

    [Fact]
    public void Times_at_the_ends_of_the_range_are_stored_and_found()
    {
        using var fixture = new StoreFixture();
        fixture.Store.WriteCandles(Series(1, Interval.S1, [long.MinValue, -1, 0, long.MaxValue]));

        Assert.Equal([long.MaxValue, 0, -1, long.MinValue], Times(fixture.Store.Candles.ReadCandlesNewest(Mint(1), Interval.S1, 10)));
        Assert.Equal([long.MaxValue, 0], Times(fixture.Store.Candles.ReadCandlesNewest(Mint(1), Interval.S1, 2, toTime: long.MaxValue)));
        Assert.Equal([0, -1], Times(fixture.Store.Candles.ReadCandlesNewest(Mint(1), Interval.S1, 2, beforeTime: long.MaxValue)));
        Assert.Equal([long.MinValue], Times(fixture.Store.Candles.ReadCandlesNewest(Mint(1), Interval.S1, 10, beforeTime: -1)));
        Assert.Empty(fixture.Store.Candles.ReadCandlesNewest(Mint(1), Interval.S1, 10, beforeTime: long.MinValue).Candles);
        Assert.Equal([long.MaxValue], Times(fixture.Store.Candles.ReadCandlesFrom(Mint(1), Interval.S1, long.MaxValue, 10)));
        Assert.True(fixture.Store.Candles.TryGetNewestCandle(Mint(1), Interval.S1, out var newest));
        Assert.Equal(long.MaxValue, newest.Time);
    }

    [Fact]
    public void The_newest_candle_is_found_per_topic()
    {
        using var fixture = TenCandles();

        Assert.True(fixture.Store.Candles.TryGetNewestCandle(Mint(1), Interval.S30, out var s30));
        Assert.True(fixture.Store.Candles.TryGetNewestCandle(Mint(1), Interval.S1, out var s1));
        Assert.True(fixture.Store.Candles.TryGetNewestCandle(Mint(2), Interval.S30, out var other));

        Assert.Equal(At(270), s30);
        Assert.Equal(At(1_000), s1);
        Assert.Equal(At(600), other);
    }

    [Fact]
    public void The_newest_candle_of_every_topic_is_listed_after_reopening()
    {
        using var fixture = TenCandles();

        var store = fixture.Reopen();
        var newest = store.Candles.ReadNewestCandles().ToList();

        (Core.Chain.PublicKey, Interval, long)[] expected =
        [
            (Mint(1), Interval.S1, 1_000L), (Mint(1), Interval.S30, 270L), (Mint(1), Interval.M5, 300L),
            (Mint(2), Interval.S30, 600L), (Mint(3), Interval.S30, 30L),
        ];
        // Key order: mint bytes, then interval length.
        Assert.Equal(expected.OrderBy(t => t.Item1).ThenBy(t => t.Item2), newest.Select(t => (t.Mint, t.Interval, t.Candle.Time)));
        Assert.All(newest, t => Assert.Equal(At(t.Candle.Time), t.Candle));
        Assert.Equal(10, store.Candles.CountCandles(Mint(1), Interval.S30));
        Assert.Equal(4, store.Candles.CountCandles(Mint(1), Interval.S1));
    }

    [Fact]
    public void Reads_after_dispose_throw()
    {
        using var fixture = TenCandles();
        var store = fixture.Store;
        store.Dispose();

        Assert.Throws<ObjectDisposedException>(() => store.Candles.ReadCandlesNewest(Mint(1), Interval.S30, 1));
        Assert.Throws<ObjectDisposedException>(() => store.Candles.ReadCandlesFrom(Mint(1), Interval.S30, 0, 1));
        Assert.Throws<ObjectDisposedException>(() => store.Candles.ReadNewestCandles());
        Assert.Throws<ObjectDisposedException>(() => store.Candles.ReadAllCandles());
        Assert.Throws<ObjectDisposedException>(() => store.WriteCandles([New(1, Interval.S1, 0)]));
        Assert.Throws<ObjectDisposedException>(() => store.DeleteAllCandles());
    }
}
