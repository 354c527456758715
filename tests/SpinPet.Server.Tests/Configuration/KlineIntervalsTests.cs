using SpinPet.Server.Configuration;

namespace SpinPet.Server.Tests.Configuration;

public sealed class KlineIntervalsTests
{
    [Fact]
    public void The_effective_list_always_holds_the_required_intervals_in_ascending_length()
    {
        Assert.Equal(["s1", "s30", "m5"], KlineIntervals.Effective([]));
        Assert.Equal(["s1", "s30", "m1", "m5", "m15", "h1", "h4", "d1"], KlineIntervals.Effective(["d1", "h4", "m15", "m1", "h1"]));
    }

    [Fact]
    public void The_effective_list_is_distinct_by_length_and_prefers_the_required_names()
    {
        Assert.Equal(["s1", "s30", "m1", "m5"], KlineIntervals.Effective(["m1", "m1", "s300", "s60"]));
    }

    [Theory]
    [InlineData("s1", 1)]
    [InlineData("s30", 30)]
    [InlineData("m15", 900)]
    [InlineData("h4", 14_400)]
    [InlineData("d1", 86_400)]
    public void Names_parse_to_their_length_in_seconds(string name, long seconds)
    {
        Assert.True(KlineIntervals.TryParseSeconds(name, out var parsed));
        Assert.Equal(seconds, parsed);
        Assert.Null(KlineIntervals.Problem(name));
    }

    [Theory]
    [InlineData("")]
    [InlineData("m")]
    [InlineData("M5")]
    [InlineData("m0")]
    [InlineData("m05")]
    [InlineData("w1")]
    [InlineData("5m")]
    [InlineData(" m5")]
    [InlineData("m-5")]
    [InlineData("s99999999999999999999")]
    public void Names_off_the_pattern_are_refused(string name)
    {
        Assert.False(KlineIntervals.TryParseSeconds(name, out _));
        Assert.Equal($"'{name}' is not an interval (a letter s, m, h or d and a count, e.g. m15)", KlineIntervals.Problem(name));
    }

    [Theory]
    [InlineData("s7")]
    [InlineData("m7")]
    [InlineData("h5")]
    [InlineData("h36")]
    public void Lengths_that_do_not_tile_a_day_are_refused(string name)
    {
        Assert.Equal($"'{name}' does not divide a day evenly (candles align to UTC midnight)", KlineIntervals.Problem(name));
    }
}
