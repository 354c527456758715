using SpinPet.Core.Candles;

namespace SpinPet.Core.Tests.Candles;

public sealed class IntervalTests
{
    [Theory]
    [InlineData("s1", 1)]
    [InlineData("s30", 30)]
    [InlineData("m1", 60)]
    [InlineData("m5", 300)]
    [InlineData("m15", 900)]
    [InlineData("h1", 3600)]
    [InlineData("h4", 14_400)]
    [InlineData("d1", 86_400)]
    [InlineData("s7", 7)]
    [InlineData("s300", 300)]
    [InlineData("d365", 31_536_000)]
    [InlineData("s9223372036854775807", long.MaxValue)]
    [InlineData("m153722867280912930", 153_722_867_280_912_930 * 60)]
    [InlineData("d106751991167300", 106_751_991_167_300 * 86_400)]
    public void Valid_names_parse_to_their_length_in_seconds(string name, long seconds)
    {
        Assert.True(Interval.TryParse(name, out var interval));
        Assert.Equal(name, interval.Name);
        Assert.Equal(seconds, interval.Seconds);
        Assert.Equal(name, interval.ToString());

        Assert.True(Interval.TryParse(name.AsSpan(), out var fromSpan));
        Assert.Equal(interval, fromSpan);
        Assert.Equal(interval, Interval.Parse(name));
    }

    [Theory]
    [InlineData("")]
    [InlineData("s")]
    [InlineData("1")]
    [InlineData("s0")]
    [InlineData("m0")]
    [InlineData("s01")]
    [InlineData("S1")]
    [InlineData("M5")]
    [InlineData("H1")]
    [InlineData("w1")]
    [InlineData("y1")]
    [InlineData(" s1")]
    [InlineData("s1 ")]
    [InlineData("s 1")]
    [InlineData("s1\n")]
    [InlineData("s-1")]
    [InlineData("s+1")]
    [InlineData("s1.5")]
    [InlineData("s1e3")]
    [InlineData("1s")]
    [InlineData("s\u0661")] // ARABIC-INDIC DIGIT ONE: a digit to char.IsDigit, not to the pattern
    [InlineData("s\uFF11")] // FULLWIDTH DIGIT ONE
    [InlineData("s9223372036854775808")] // long.MaxValue + 1 seconds
    [InlineData("m153722867280912931")] // × 60 overflows
    [InlineData("h2562047788015216")] // × 3600 overflows
    [InlineData("d106751991167301")] // × 86400 overflows
    [InlineData("s99999999999999999999999")]
    public void Names_outside_the_pattern_or_range_are_refused(string name)
    {
        Assert.False(Interval.TryParse(name, out var interval));
        Assert.Equal(default, interval);
        Assert.False(Interval.TryParse(name.AsSpan(), out _));
        Assert.Throws<FormatException>(() => Interval.Parse(name));
    }

    [Fact]
    public void Null_is_not_an_interval()
    {
        Assert.False(Interval.TryParse((string?)null, out _));
    }

    [Fact]
    public void Well_known_intervals_have_their_names_and_lengths()
    {
        Assert.Equal(
            [("s1", 1L), ("s30", 30L), ("m1", 60L), ("m5", 300L), ("m15", 900L), ("h1", 3600L), ("h4", 14_400L), ("d1", 86_400L)],
            new[] { Interval.S1, Interval.S30, Interval.M1, Interval.M5, Interval.M15, Interval.H1, Interval.H4, Interval.D1 }
                .Select(i => (i.Name, i.Seconds)));
        Assert.Equal([Interval.S1, Interval.S30, Interval.M5], Interval.Required);
    }

    [Fact]
    public void Parsing_a_well_known_name_from_a_span_reuses_its_string()
    {
        Assert.True(Interval.TryParse("xm15".AsSpan(1), out var interval));
        Assert.Same(Interval.M15.Name, interval.Name);
        Assert.Equal(Interval.M15, interval);
    }

    [Theory]
    [InlineData("s1", 1_764_062_401, 1_764_062_401)]
    [InlineData("s30", 1_764_062_401, 1_764_062_400)]
    [InlineData("s30", 1_764_062_429, 1_764_062_400)]
    [InlineData("s30", 1_764_062_430, 1_764_062_430)]
    [InlineData("m5", 1_764_062_699, 1_764_062_400)]
    [InlineData("m5", 1_764_062_700, 1_764_062_700)]
    [InlineData("s7", 13, 7)]
    [InlineData("s7", 0, 0)]
    [InlineData("s1", 0, 0)]
    [InlineData("s1", -1, -1)]
    [InlineData("s30", -1, -30)]
    [InlineData("s30", -29, -30)]
    [InlineData("s30", -30, -30)]
    [InlineData("s30", -31, -60)]
    [InlineData("m5", -299, -300)]
    [InlineData("s7", -1, -7)]
    [InlineData("s7", -7, -7)]
    [InlineData("s7", -8, -14)]
    [InlineData("d1", -1, -86_400)]
    [InlineData("s1", long.MaxValue, long.MaxValue)]
    [InlineData("s1", long.MinValue, long.MinValue)]
    [InlineData("s2", long.MinValue, long.MinValue)]
    [InlineData("s2", long.MaxValue, long.MaxValue - 1)]
    public void Bucket_start_floors_to_a_multiple_of_the_length(string name, long time, long expected)
    {
        Assert.Equal(expected, Interval.Parse(name).BucketStart(time));
    }

    [Fact]
    public void Bucket_start_floors_negative_times_for_every_length_and_offset()
    {
        foreach (var interval in new[] { Interval.S1, Interval.S30, Interval.M5, Interval.H1, Interval.D1, Interval.Parse("s7") })
        {
            for (long t = -3 * interval.Seconds; t <= 3 * interval.Seconds; t++)
            {
                long start = interval.BucketStart(t);
                if (!(start <= t && t < start + interval.Seconds && start % interval.Seconds == 0))
                {
                    Assert.Fail($"{interval} {t} → {start}");
                }
            }
        }
    }

    [Fact]
    public void Day_and_four_hour_buckets_start_at_utc_midnight_and_every_fourth_hour()
    {
        var instant = new DateTimeOffset(2025, 11, 25, 9, 20, 1, TimeSpan.Zero);
        long t = instant.ToUnixTimeSeconds();

        Assert.Equal(new DateTimeOffset(2025, 11, 25, 0, 0, 0, TimeSpan.Zero), DateTimeOffset.FromUnixTimeSeconds(Interval.D1.BucketStart(t)));
        Assert.Equal(new DateTimeOffset(2025, 11, 25, 8, 0, 0, TimeSpan.Zero), DateTimeOffset.FromUnixTimeSeconds(Interval.H4.BucketStart(t)));
        Assert.Equal(new DateTimeOffset(2025, 11, 25, 9, 0, 0, TimeSpan.Zero), DateTimeOffset.FromUnixTimeSeconds(Interval.H1.BucketStart(t)));

        var beforeEpoch = new DateTimeOffset(1969, 12, 31, 23, 59, 59, TimeSpan.Zero);
        Assert.Equal(
            new DateTimeOffset(1969, 12, 31, 0, 0, 0, TimeSpan.Zero),
            DateTimeOffset.FromUnixTimeSeconds(Interval.D1.BucketStart(beforeEpoch.ToUnixTimeSeconds())));
    }

    [Fact]
    public void Effective_intervals_are_the_required_ones_without_configuration()
    {
        Assert.Equal(["s1", "s30", "m5"], Interval.Effective([]).Select(i => i.Name));
    }

    [Fact]
    public void Effective_intervals_add_configured_ones_distinct_in_ascending_length()
    {
        var configured = new[] { Interval.D1, Interval.M1, Interval.S1, Interval.H4, Interval.M15, Interval.M1, Interval.H1 };

        Assert.Equal(
            ["s1", "s30", "m1", "m5", "m15", "h1", "h4", "d1"],
            Interval.Effective(configured).Select(i => i.Name));
    }

    [Fact]
    public void Effective_intervals_keep_the_first_name_for_a_length()
    {
        var configured = new[] { Interval.Parse("s300"), Interval.Parse("s60"), Interval.M1, Interval.Parse("s7") };

        Assert.Equal(["s1", "s7", "s30", "s60", "m5"], Interval.Effective(configured).Select(i => i.Name));
    }

    [Fact]
    public void Effective_intervals_refuse_the_default_value()
    {
        Assert.Throws<ArgumentException>(() => Interval.Effective([default]));
    }

    [Fact]
    public void Intervals_order_by_length_then_name()
    {
        Assert.True(Interval.S30 < Interval.M1);
        Assert.True(Interval.D1 > Interval.H4);
        Assert.True(Interval.M1 < Interval.Parse("s60")); // same length: "m1" sorts before "s60"
        Assert.Equal(0, Interval.M1.CompareTo(Interval.Parse("m1")));
        Assert.NotEqual(Interval.M1, Interval.Parse("s60"));
    }
}
