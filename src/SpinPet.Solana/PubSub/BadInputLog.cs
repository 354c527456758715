using System.Text;
using Microsoft.Extensions.Logging;
using SpinPet.Solana.Rpc;

namespace SpinPet.Solana.PubSub;

/// <summary>
/// Logs bad input from the node at Warning without letting a flood of it flood the log: at most one line per kind
/// per second, each saying how many more of that kind were seen since the previous line. A broken proxy can send
/// thousands of bad frames a second; one line a second per kind still tells the operator what and how much.
/// </summary>
internal sealed partial class BadInputLog(ILogger logger, TimeProvider time)
{
    // Frames are one line of JSON; 120 characters name the method or show what the garbage looks like.
    private const int ExcerptChars = 120;
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    private readonly LogThrottle[] _throttles =
        [.. Enum.GetValues<BadInputKind>().Select(_ => new LogThrottle(Interval, time))];

    public void Report(BadInputKind kind, ReadOnlySpan<byte> utf8)
    {
        if (_throttles[(int)kind].TryEnter(out long suppressed))
        {
            LogBadInput(logger, kind, Excerpt(utf8), suppressed);
        }
    }

    public void Report(BadInputKind kind, string text)
    {
        if (_throttles[(int)kind].TryEnter(out long suppressed))
        {
            LogBadInput(logger, kind, Excerpt(text), suppressed);
        }
    }

    internal static string Excerpt(ReadOnlySpan<byte> utf8)
    {
        // Up to 4 bytes per character: decoding a bounded prefix keeps a 1 MiB frame from being decoded whole.
        var head = utf8[..Math.Min(utf8.Length, ExcerptChars * 4)];
        return Excerpt(Encoding.UTF8.GetString(head), utf8.Length);
    }

    internal static string Excerpt(string text) => Excerpt(text, text.Length);

    private static string Excerpt(string text, int totalLength)
    {
        var builder = new StringBuilder(ExcerptChars + 24);
        foreach (char c in text.AsSpan(0, Math.Min(text.Length, ExcerptChars)))
        {
            // Control characters would break a log line (or forge a new one): show them as '?'.
            builder.Append(char.IsControl(c) ? '?' : c);
        }
        if (totalLength > ExcerptChars)
        {
            builder.Append($"… ({totalLength} in all)");
        }
        return builder.ToString();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ignored bad PubSub input ({Kind}): {Excerpt} [{Suppressed} more of this kind since the previous report]")]
    private static partial void LogBadInput(ILogger logger, BadInputKind kind, string excerpt, long suppressed);
}
