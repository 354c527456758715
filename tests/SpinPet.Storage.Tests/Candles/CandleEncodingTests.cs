using System.Buffers.Binary;
using RocksDbSharp;
using SpinPet.Core.Candles;
using SpinPet.Core.Chain;
using SpinPet.Core.Ingest;
using static SpinPet.Storage.Tests.Candles.CandleData;
using static SpinPet.Storage.Tests.TestChain;

namespace SpinPet.Storage.Tests.Candles;

public sealed class CandleEncodingTests
{
    public static TheoryData<double> ExactPrices => new()
    {
        2.7958993476234855E-08,
        double.Epsilon,
        1e-300,
        0.1 + 0.2,
        Math.BitIncrement(1.0),
        123_456_789.123_456_78,
        1e300,
        double.MaxValue,
        -0.0,
    };

    [Theory]
    [MemberData(nameof(ExactPrices))]
    public void Candles_round_trip_bit_for_bit(double price)
    {
        using var fixture = new StoreFixture();
        var candle = new Candle(1_764_062_370, price, Math.BitIncrement(price), Math.BitDecrement(price), price, price / 3, long.MaxValue, IsFinal: true);

        fixture.Store.WriteCandles([New(Mint(1), Interval.S30, candle)]);
        var store = fixture.Reopen();

        var stored = Assert.Single(store.Candles.ReadCandlesNewest(Mint(1), Interval.S30, 10).Candles);
        Assert.Equal(candle, stored);
        Assert.Equal(BitConverter.DoubleToInt64Bits(candle.Open), BitConverter.DoubleToInt64Bits(stored.Open));
        Assert.Equal(BitConverter.DoubleToInt64Bits(candle.Low), BitConverter.DoubleToInt64Bits(stored.Low));
        Assert.Equal(BitConverter.DoubleToInt64Bits(candle.Volume), BitConverter.DoubleToInt64Bits(stored.Volume));
    }

    [Fact]
    public void The_final_flag_and_the_update_count_round_trip()
    {
        using var fixture = new StoreFixture();
        var open = At(60) with { IsFinal = false, UpdateCount = 7 };

        fixture.Store.WriteCandles([New(Mint(1), Interval.M1, open)]);
        Assert.False(Assert.Single(fixture.Store.Candles.ReadCandlesNewest(Mint(1), Interval.M1, 1).Candles).IsFinal);
        fixture.Store.WriteCandles([new CandleWrite(Mint(1), Interval.M1, open with { IsFinal = true }, IsNew: false)]);

        var stored = Assert.Single(fixture.Reopen().Candles.ReadCandlesNewest(Mint(1), Interval.M1, 1).Candles);
        Assert.True(stored.IsFinal);
        Assert.Equal(7, stored.UpdateCount);
    }

    [Fact]
    public void A_candle_key_is_mint_then_interval_seconds_then_time_with_the_sign_bit_flipped()
    {
        var key = new byte[CandleKeys.CandleLength];
        CandleKeys.WriteCandle(key, Mint(1), 300, -2);

        Assert.Equal(44, key.Length);
        Assert.Equal(Mint(1).AsSpan().ToArray(), key[..32]);
        Assert.Equal("0000012C", Convert.ToHexString(key, 32, 4));
        Assert.Equal("7FFFFFFFFFFFFFFE", Convert.ToHexString(key, 36, 8));
        Assert.Equal(-2, CandleKeys.ReadTime(key));
    }

    [Fact]
    public void A_candle_value_is_version_then_little_endian_doubles_then_update_count_flags_and_updated_seq()
    {
        var value = new byte[CandleValues.CandleLength];
        CandleValues.WriteCandle(value, new Candle(0, 1.0, 2.0, 0.5, 1.5, 0, UpdateCount: 3, IsFinal: true), updatedSeq: 0x0A0B0C);

        Assert.Equal(58, value.Length);
        Assert.Equal(2, value[0]);
        Assert.Equal(1.0, BinaryPrimitives.ReadDoubleLittleEndian(value.AsSpan(1)));
        Assert.Equal(2.0, BinaryPrimitives.ReadDoubleLittleEndian(value.AsSpan(9)));
        Assert.Equal(0.5, BinaryPrimitives.ReadDoubleLittleEndian(value.AsSpan(17)));
        Assert.Equal(1.5, BinaryPrimitives.ReadDoubleLittleEndian(value.AsSpan(25)));
        Assert.Equal(0.0, BinaryPrimitives.ReadDoubleLittleEndian(value.AsSpan(33)));
        Assert.Equal(3, BinaryPrimitives.ReadInt64BigEndian(value.AsSpan(41)));
        Assert.Equal(1, value[49]);
        Assert.Equal(0x0A0B0C, BinaryPrimitives.ReadInt64BigEndian(value.AsSpan(50)));
        Assert.Equal(0x0A0B0C, CandleValues.ReadUpdatedSeq(new byte[CandleKeys.CandleLength], value));
    }

    [Fact]
    public void A_version_1_candle_value_from_before_positions_reads_as_updated_at_seq_0()
    {
        var key = new byte[CandleKeys.CandleLength];
        CandleKeys.WriteCandle(key, Mint(1), 60, 120);
        var current = new byte[CandleValues.CandleLength];
        var candle = new Candle(120, 1.0, 2.0, 0.5, 1.5, 7, UpdateCount: 3, IsFinal: true);
        CandleValues.WriteCandle(current, candle, updatedSeq: 9);
        // Version 1 is the same 50 bytes without updated_seq.
        var old = current[..CandleValues.CandleLength1];
        old[0] = 1;

        Assert.Equal(candle, CandleValues.ReadCandle(key, old));
        Assert.Equal(0, CandleValues.ReadUpdatedSeq(key, old));
    }

    [Fact]
    public void Candle_keys_sort_bytewise_by_mint_then_interval_then_time_including_negative_times()
    {
        (int Mint, uint Seconds, long Time)[] ordered =
        [
            .. new[] { 1, 2 }.OrderBy(n => Mint(n)).SelectMany(mint => new (int, uint, long)[]
            {
                (mint, 1, long.MinValue), (mint, 1, -256), (mint, 1, -1), (mint, 1, 0), (mint, 1, 1),
                (mint, 1, 255), (mint, 1, 256), (mint, 1, 65_536), (mint, 1, long.MaxValue),
                (mint, 255, -1), (mint, 255, 0), (mint, 256, long.MinValue), (mint, 256, 255), (mint, 256, 256),
                (mint, 65_536, 0), (mint, uint.MaxValue, long.MaxValue),
            }),
        ];
        var keys = ordered.Select(k =>
        {
            var key = new byte[CandleKeys.CandleLength];
            CandleKeys.WriteCandle(key, Mint(k.Mint), k.Seconds, k.Time);
            return key;
        }).ToArray();

        var sorted = keys.Order(ByteOrder.Instance).ToArray();

        Assert.Equal(keys, sorted);
        Assert.Equal(ordered.Select(k => k.Time), sorted.Select(k => CandleKeys.ReadTime(k)));
    }

    [Fact]
    public void The_store_returns_candles_of_all_topics_in_mint_interval_and_time_order()
    {
        using var fixture = new StoreFixture();
        var s255 = Interval.Parse("s255");
        var s256 = Interval.Parse("s256");
        long[] times = [256, -1, 255, long.MinValue / 2, 0, -256, long.MaxValue / 2, 1];
        var writes = new[] { 2, 1 }.SelectMany(mint =>
            new[] { s256, s255 }.SelectMany(interval => Series(mint, interval, times)))
            .ToArray();
        fixture.Store.WriteCandles(writes);

        var all = fixture.Store.Candles.ReadAllCandles().ToList();

        var expected = writes
            .Select(w => (w.Mint, w.Interval, w.Candle.Time))
            .OrderBy(w => w.Mint)
            .ThenBy(w => w.Interval.Seconds)
            .ThenBy(w => w.Time)
            .ToList();
        Assert.Equal(expected, all.Select(c => (c.Mint, c.Interval, c.Candle.Time)));
        Assert.Equal(writes.Length, all.Count);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(50)]
    [InlineData(57)]
    [InlineData(59)]
    public void A_candle_value_of_the_wrong_length_is_reported_as_corruption(int length)
    {
        var key = new byte[CandleKeys.CandleLength];
        var value = new byte[length];
        if (length > 0)
        {
            value[0] = CandleValues.CandleVersion;
        }

        var error = Assert.Throws<StoreCorruptedException>(() => CandleValues.ReadCandle(key, value));
        Assert.Contains("'candles'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_candle_value_with_an_unknown_version_is_reported_as_corruption()
    {
        var key = new byte[CandleKeys.CandleLength];
        var value = new byte[CandleValues.CandleLength];
        value[0] = 3;

        Assert.Throws<StoreCorruptedException>(() => CandleValues.ReadCandle(key, value));
    }

    [Theory]
    [InlineData("m5", 60)]
    [InlineData("x1", 1)]
    [InlineData("", 1)]
    public void A_topic_row_whose_name_does_not_match_its_interval_is_reported_as_corruption(string name, uint seconds)
    {
        var key = new byte[CandleKeys.TopicLength];
        CandleKeys.WriteTopic(key, Mint(1), seconds);
        var value = new byte[CandleValues.TopicHeaderLength + name.Length];
        value[0] = CandleValues.TopicVersion;
        value[17] = (byte)name.Length;
        System.Text.Encoding.ASCII.GetBytes(name, value.AsSpan(CandleValues.TopicHeaderLength));

        var error = Assert.Throws<StoreCorruptedException>(() => CandleValues.ReadTopic(key, value));
        Assert.Contains("'candle_topics'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_topic_row_round_trips_its_name_count_and_newest_time()
    {
        var key = new byte[CandleKeys.TopicLength];
        CandleKeys.WriteTopic(key, Mint(1), 900);
        var value = new byte[CandleValues.MaxTopicLength];
        var topic = new CandleTopic(Interval.M15, Count: 12_345, NewestTime: -900);

        int length = CandleValues.WriteTopic(value, topic);

        Assert.Equal(CandleValues.TopicHeaderLength + 3, length);
        Assert.Equal(topic, CandleValues.ReadTopic(key, value.AsSpan(0, length)));
    }

    [Fact]
    public void A_corrupted_candle_row_in_the_store_surfaces_as_a_store_error()
    {
        using var fixture = new StoreFixture();
        fixture.Store.WriteCandles([New(1, Interval.S1, 10)]);
        var transaction = Transaction(1, 10, 0, BuySell(0, 1, 1));

        // A 3-byte value where the candle at time 11 belongs.
        var key = new byte[CandleKeys.CandleLength];
        CandleKeys.WriteCandle(key, Mint(1), 1, 11);
        fixture.Store.ApplyWithRow([transaction], CheckpointOf(transaction), ColumnFamilyNames.Candles, key, [1, 2, 3]);

        Assert.Throws<StoreCorruptedException>(() => fixture.Store.Candles.ReadCandlesNewest(Mint(1), Interval.S1, 10));
        Assert.Throws<StoreCorruptedException>(() => fixture.Store.Candles.ReadAllCandles().ToList());
        // The rows before the bad one still read.
        Assert.Equal([10], Times(fixture.Store.Candles.ReadCandlesNewest(Mint(1), Interval.S1, 10, beforeTime: 11)));
    }

    [Fact]
    public void An_interval_that_does_not_fit_the_key_is_refused_and_nothing_is_written()
    {
        using var fixture = new StoreFixture();
        var tooLong = Interval.Parse("d50000");

        Assert.Throws<ArgumentException>(() => fixture.Store.WriteCandles([New(1, Interval.S1, 0), New(1, tooLong, 0)]));
        Assert.Throws<ArgumentException>(() => fixture.Store.WriteCandles([New(1, default, 0)]));

        Assert.Empty(fixture.Store.Candles.ReadAllCandles());
        Assert.Equal(0, fixture.Store.Candles.CountCandles(Mint(1), Interval.S1));
    }

    private sealed class ByteOrder : IComparer<byte[]>
    {
        public static readonly ByteOrder Instance = new();

        public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
    }
}
