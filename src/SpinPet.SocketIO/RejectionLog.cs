using System.Text;
using Microsoft.Extensions.Logging;

namespace SpinPet.SocketIO;

/// <summary>
/// Logs refused client input without letting a flood flood the log: at most one Warning per second for the whole
/// endpoint, carrying how many rejections were held back (those go to Debug). Each line quotes at most 120
/// characters of the offending packet with control characters shown as <c>?</c>.
/// </summary>
internal sealed class RejectionLog(ILogger logger, TimeProvider time)
{
    private const int ExcerptChars = 120;

    private readonly Lock _gate = new();
    private long _lastWarningAt = long.MinValue;
    private long _suppressed;

    public void Rejected(string problem, string address, string sid, ReadOnlySpan<byte> packet)
    {
        long now = time.GetTimestamp();
        long suppressed;
        lock (_gate)
        {
            if (_lastWarningAt != long.MinValue && time.GetElapsedTime(_lastWarningAt, now) < TimeSpan.FromSeconds(1))
            {
                _suppressed++;
                suppressed = -1;
            }
            else
            {
                _lastWarningAt = now;
                suppressed = _suppressed;
                _suppressed = 0;
            }
        }
        // The excerpt is made only for a line that is written: a flood of refusals costs a lock and a count each.
        if (suppressed >= 0)
        {
            SocketIOLog.Rejected(logger, problem, address, sid, Excerpt(packet), suppressed);
        }
        else if (logger.IsEnabled(LogLevel.Debug))
        {
            SocketIOLog.RejectedQuietly(logger, problem, address, sid, Excerpt(packet));
        }
    }

    internal static string Excerpt(ReadOnlySpan<byte> packet)
    {
        var text = Encoding.UTF8.GetString(packet[..Math.Min(packet.Length, ExcerptChars * 4)]);
        var builder = new StringBuilder(Math.Min(text.Length, ExcerptChars + 1));
        foreach (char c in text)
        {
            if (builder.Length == ExcerptChars)
            {
                builder.Append('…');
                break;
            }
            builder.Append(char.IsControl(c) ? '?' : c);
        }
        return builder.ToString();
    }
}
