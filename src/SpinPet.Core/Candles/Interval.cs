using System.Diagnostics.CodeAnalysis;

namespace SpinPet.Core.Candles;

/// <summary>
/// A candle length: a unit letter (<c>s</c>, <c>m</c>, <c>h</c>, <c>d</c>) and a count, e.g. <c>m15</c> = 900 s.
/// Buckets align to the unix epoch, so every <c>d1</c> candle starts at UTC midnight. <c>default</c> is not an
/// interval; obtain one from <see cref="TryParse(string?, out Interval)"/> or the well-known instances.
/// </summary>
public readonly record struct Interval : IComparable<Interval>
{
    private Interval(string name, long seconds)
    {
        Name = name;
        Seconds = seconds;
    }

    /// <summary>The wire name, e.g. <c>s1</c>.</summary>
    public string Name { get; }

    /// <summary>Length of one bucket in seconds (at least 1).</summary>
    public long Seconds { get; }

    public static Interval S1 { get; } = new("s1", 1);

    public static Interval S30 { get; } = new("s30", 30);

    public static Interval M1 { get; } = new("m1", 60);

    public static Interval M5 { get; } = new("m5", 300);

    public static Interval M15 { get; } = new("m15", 900);

    public static Interval H1 { get; } = new("h1", 3600);

    public static Interval H4 { get; } = new("h4", 14_400);

    public static Interval D1 { get; } = new("d1", 86_400);

    /// <summary>Always built, whatever the configuration lists (candles.md).</summary>
    public static IReadOnlyList<Interval> Required { get; } = [S1, S30, M5];

    // The well-known instances, so that parsing their names from a span allocates no string.
    private static readonly Interval[] s_wellKnown = [S1, S30, M1, M5, M15, H1, H4, D1];

    /// <summary>
    /// Parses <c>^[smhd][1-9][0-9]*$</c> exactly (lower case, no spaces, no sign, no leading zero). A count whose
    /// length in seconds does not fit a <see cref="long"/> is refused. Range rules (e.g. dividing a day) are the
    /// configuration's business.
    /// </summary>
    public static bool TryParse([NotNullWhen(true)] string? text, out Interval interval)
    {
        if (text is null || !TryParseSeconds(text, out long seconds))
        {
            interval = default;
            return false;
        }
        interval = new Interval(text, seconds);
        return true;
    }

    /// <inheritdoc cref="TryParse(string?, out Interval)"/>
    public static bool TryParse(ReadOnlySpan<char> text, out Interval interval)
    {
        if (!TryParseSeconds(text, out long seconds))
        {
            interval = default;
            return false;
        }
        foreach (var known in s_wellKnown)
        {
            if (text.SequenceEqual(known.Name))
            {
                interval = known;
                return true;
            }
        }
        interval = new Interval(text.ToString(), seconds);
        return true;
    }

    public static Interval Parse(string text) =>
        TryParse(text, out var interval) ? interval : throw new FormatException($"Not an interval: '{text}'.");

    /// <summary>
    /// The intervals the server builds (its <c>supported_intervals</c>): <see cref="Required"/> ∪
    /// <paramref name="configured"/>, in ascending length. Two names of the same length (<c>m1</c>, <c>s60</c>)
    /// would build identical candles, so the first one wins and the required ones come first.
    /// </summary>
    public static IReadOnlyList<Interval> Effective(IEnumerable<Interval> configured)
    {
        ArgumentNullException.ThrowIfNull(configured);

        var result = new List<Interval>(Required);
        foreach (var interval in configured)
        {
            if (interval.Seconds <= 0)
            {
                throw new ArgumentException("default(Interval) is not an interval.", nameof(configured));
            }
            if (!result.Exists(i => i.Seconds == interval.Seconds))
            {
                result.Add(interval);
            }
        }
        result.Sort();
        return result;
    }

    /// <summary>
    /// Start of the bucket that holds <paramref name="unixSeconds"/>: <c>t − (t mod L)</c> with a floored modulo,
    /// so that t = −1 falls into [−L, 0) and not into [0, L). C#'s <c>%</c> truncates toward zero.
    /// </summary>
    public long BucketStart(long unixSeconds)
    {
        long remainder = unixSeconds % Seconds;
        if (remainder < 0)
        {
            remainder += Seconds;
        }
        return unixSeconds - remainder;
    }

    /// <summary>Orders by length, then by name, so that a sorted list reads s1, s30, m1, m5, …</summary>
    public int CompareTo(Interval other)
    {
        int byLength = Seconds.CompareTo(other.Seconds);
        return byLength != 0 ? byLength : string.CompareOrdinal(Name, other.Name);
    }

    public static bool operator <(Interval left, Interval right) => left.CompareTo(right) < 0;

    public static bool operator >(Interval left, Interval right) => left.CompareTo(right) > 0;

    public static bool operator <=(Interval left, Interval right) => left.CompareTo(right) <= 0;

    public static bool operator >=(Interval left, Interval right) => left.CompareTo(right) >= 0;

    public override string ToString() => Name;

    private static bool TryParseSeconds(ReadOnlySpan<char> text, out long seconds)
    {
        seconds = 0;
        if (text.Length < 2 || text[1] == '0')
        {
            return false;
        }
        long unit = text[0] switch
        {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86_400,
            _ => 0,
        };
        if (unit == 0)
        {
            return false;
        }
        long count = 0;
        foreach (char c in text[1..])
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
            int digit = c - '0';
            if (count > (long.MaxValue - digit) / 10)
            {
                return false;
            }
            count = (count * 10) + digit;
        }
        if (count > long.MaxValue / unit)
        {
            return false;
        }
        seconds = count * unit;
        return true;
    }
}
