using SpinPet.Core.Candles;

namespace SpinPet.Server.Configuration;

/// <summary>
/// Interval names as configuration sees them: a unit letter (<c>s</c>, <c>m</c>, <c>h</c>, <c>d</c>) and a count,
/// e.g. <c>m15</c>. The candle engine's own <c>Interval</c> value type lives in Core; this only checks the text.
/// </summary>
internal static class KlineIntervals
{
    /// <summary>Always built, whatever the configuration lists (candles.md).</summary>
    public static IReadOnlyList<string> Required { get; } = ["s1", "s30", "m5"];

    private const long SecondsPerDay = 86_400;

    // Buckets align to the unix epoch; past a year a bucket is no longer a chart candle, and the bound keeps
    // count × unit far from overflow.
    private const long MaxSeconds = 365 * SecondsPerDay;

    /// <summary>Parses <c>^[smhd][1-9][0-9]*$</c> into a length in seconds (no range checks).</summary>
    public static bool TryParseSeconds(string? name, out long seconds)
    {
        bool parsed = Interval.TryParse(name, out var interval);
        seconds = parsed ? interval.Seconds : 0;
        return parsed;
    }

    /// <summary>
    /// Why <paramref name="name"/> cannot be an interval, or null when it can. Besides the pattern, a bucket
    /// shorter than a day must divide the day (86 400 s) so candles line up with UTC midnight, a longer one must be
    /// whole days, and none may exceed 365 days.
    /// </summary>
    public static string? Problem(string? name)
    {
        if (!TryParseSeconds(name, out var seconds))
        {
            return $"'{name}' is not an interval (a letter s, m, h or d and a count, e.g. m15)";
        }
        if (seconds > MaxSeconds)
        {
            return $"'{name}' is longer than 365 days";
        }
        if (seconds < SecondsPerDay ? SecondsPerDay % seconds != 0 : seconds % SecondsPerDay != 0)
        {
            return $"'{name}' does not divide a day evenly (candles align to UTC midnight)";
        }
        return null;
    }

    /// <summary>
    /// The intervals the server builds: <see cref="Required"/> ∪ <paramref name="configured"/>, distinct,
    /// in ascending length. Names that do not parse are skipped (validation has already refused them).
    /// </summary>
    public static IReadOnlyList<string> Effective(IEnumerable<string> configured) =>
        [.. Intervals(configured).Select(i => i.Name)];

    /// <summary>As <see cref="Effective"/>, as the candle engine's values.</summary>
    public static IReadOnlyList<Interval> Intervals(IEnumerable<string> configured)
    {
        ArgumentNullException.ThrowIfNull(configured);
        var parsed = new List<Interval>();
        foreach (var name in configured)
        {
            if (Interval.TryParse(name, out var interval))
            {
                parsed.Add(interval);
            }
        }
        return Interval.Effective(parsed);
    }
}
