using System.Globalization;
using System.Text;

namespace SpinPet.Server.Api;

/// <summary>
/// The strftime patterns the earlier server took as <c>/api/time?format=</c> (it applied them to the local time with
/// Rust's chrono, and crashed on a bad one): the common specifiers, formatted with the invariant culture. An unknown
/// specifier, a lone <c>%</c> at the end or a pattern over <see cref="MaxPatternLength"/> characters is refused with the
/// reason, never guessed at.
/// </summary>
internal static class Strftime
{
    /// <summary>Bounds the answer too: no specifier expands to more than 40 characters.</summary>
    public const int MaxPatternLength = 128;

    /// <summary>The earlier server's <c>local</c> without a pattern: <c>2025-09-20 13:26:12 +08:00</c>.</summary>
    public const string DefaultLocal = "%Y-%m-%d %H:%M:%S %:z";

    public const string Supported = "%Y %C %y %m %b %h %B %d %e %a %A %u %w %j %H %k %I %l %M %S %f %p %P %z %:z %Z %s %F %T %D %R %r %c %n %t %%";

    public static bool TryFormat(string pattern, DateTimeOffset time, out string text, out string problem)
    {
        text = "";
        problem = "";
        if (pattern.Length > MaxPatternLength)
        {
            problem = $"longer than {MaxPatternLength} characters";
            return false;
        }
        var output = new StringBuilder(pattern.Length * 4);
        for (int i = 0; i < pattern.Length; i++)
        {
            char c = pattern[i];
            if (c != '%')
            {
                output.Append(c);
                continue;
            }
            if (i + 1 >= pattern.Length)
            {
                problem = "ends with a lone %";
                return false;
            }
            char spec = pattern[++i];
            if (spec == ':' && i + 1 < pattern.Length && pattern[i + 1] == 'z')
            {
                i++;
                output.Append(Offset(time.Offset, colon: true));
                continue;
            }
            if (Expand(spec, time) is not { } expanded)
            {
                problem = $"%{spec} is not a specifier this server supports ({Supported})";
                return false;
            }
            output.Append(expanded);
        }
        text = output.ToString();
        return true;
    }

    private static string? Expand(char spec, DateTimeOffset t) => spec switch
    {
        'Y' => t.Year.ToString(CultureInfo.InvariantCulture),
        'C' => (t.Year / 100).ToString("00", CultureInfo.InvariantCulture),
        'y' => (t.Year % 100).ToString("00", CultureInfo.InvariantCulture),
        'm' => F(t, "MM"),
        'b' or 'h' => F(t, "MMM"),
        'B' => F(t, "MMMM"),
        'd' => F(t, "dd"),
        'e' => t.Day.ToString(CultureInfo.InvariantCulture).PadLeft(2),
        'a' => F(t, "ddd"),
        'A' => F(t, "dddd"),
        'u' => (t.DayOfWeek == DayOfWeek.Sunday ? 7 : (int)t.DayOfWeek).ToString(CultureInfo.InvariantCulture),
        'w' => ((int)t.DayOfWeek).ToString(CultureInfo.InvariantCulture),
        'j' => t.DayOfYear.ToString("000", CultureInfo.InvariantCulture),
        'H' => F(t, "HH"),
        'k' => t.Hour.ToString(CultureInfo.InvariantCulture).PadLeft(2),
        'I' => F(t, "hh"),
        'l' => (t.Hour % 12 == 0 ? 12 : t.Hour % 12).ToString(CultureInfo.InvariantCulture).PadLeft(2),
        'M' => F(t, "mm"),
        'S' => F(t, "ss"),
        // chrono's %f: nanoseconds, 9 digits.
        'f' => F(t, "fffffff") + "00",
        'p' => t.Hour < 12 ? "AM" : "PM",
        'P' => t.Hour < 12 ? "am" : "pm",
        'z' => Offset(t.Offset, colon: false),
        // chrono prints the offset for %Z when it knows no zone name; so does this server.
        'Z' => Offset(t.Offset, colon: true),
        's' => t.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
        'F' => F(t, "yyyy-MM-dd"),
        'T' => F(t, "HH:mm:ss"),
        'D' => F(t, "MM/dd/yy"),
        'R' => F(t, "HH:mm"),
        'r' => F(t, "hh:mm:ss tt"),
        'c' => F(t, "ddd MMM d HH:mm:ss yyyy"),
        'n' => "\n",
        't' => "\t",
        '%' => "%",
        _ => null,
    };

    private static string F(DateTimeOffset t, string format) => t.ToString(format, CultureInfo.InvariantCulture);

    private static string Offset(TimeSpan offset, bool colon)
    {
        char sign = offset < TimeSpan.Zero ? '-' : '+';
        var abs = offset.Duration();
        return colon ? $"{sign}{abs.Hours:00}:{abs.Minutes:00}" : $"{sign}{abs.Hours:00}{abs.Minutes:00}";
    }
}
