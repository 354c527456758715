using System.Buffers.Text;

namespace SpinPet.LoadGen;

/// <summary>
/// Reads the few fields the load generator needs straight from a message's UTF-8 bytes, without a JSON parser:
/// the message kind, and for <c>kline_data</c> the symbol, interval, candle time, update_count, is_final and the
/// outer push <c>timestamp</c> (the last one in the message).
/// </summary>
internal static class KlineFields
{
    private static ReadOnlySpan<byte> KlineType => "\"type\":\"kline_data\""u8;
    private static ReadOnlySpan<byte> ConfirmedType => "\"type\":\"subscription_confirmed\""u8;
    private static ReadOnlySpan<byte> ErrorType => "\"type\":\"error\""u8;
    private static ReadOnlySpan<byte> HistoryType => "\"type\":\"history_data\""u8;
    private static ReadOnlySpan<byte> SymbolKey => "\"symbol\":\""u8;
    private static ReadOnlySpan<byte> IntervalKey => "\"interval\":\""u8;
    private static ReadOnlySpan<byte> TimeKey => "\"time\":"u8;
    private static ReadOnlySpan<byte> CountKey => "\"update_count\":"u8;
    private static ReadOnlySpan<byte> TimestampKey => "\"timestamp\":"u8;
    private static ReadOnlySpan<byte> FinalTrue => "\"is_final\":true"u8;

    public static MessageKind KindOf(ReadOnlySpan<byte> message)
    {
        if (message.IndexOf(KlineType) >= 0)
        {
            return MessageKind.Kline;
        }
        if (message.IndexOf(ConfirmedType) >= 0)
        {
            return MessageKind.Confirmed;
        }
        if (message.IndexOf(HistoryType) >= 0)
        {
            return MessageKind.History;
        }
        return message.IndexOf(ErrorType) >= 0 ? MessageKind.Error : MessageKind.Other;
    }

    public static bool TryReadKline(ReadOnlySpan<byte> message, bool withStateKey, out Kline kline)
    {
        kline = default;
        int ts = message.LastIndexOf(TimestampKey);
        if (ts < 0 || !Utf8Parser.TryParse(message[(ts + TimestampKey.Length)..], out long pushMs, out _))
        {
            return false;
        }
        bool isFinal = message.IndexOf(FinalTrue) >= 0;
        if (!withStateKey)
        {
            kline = new Kline(pushMs, 0, 0, isFinal, 0);
            return true;
        }
        if (!TryString(message, SymbolKey, out var symbolStart, out var symbolLength)
            || !TryString(message, IntervalKey, out var intervalStart, out var intervalLength)
            || !TryNumber(message, TimeKey, out long time)
            || !TryNumber(message, CountKey, out long count))
        {
            return false;
        }
        kline = new Kline(pushMs, time, count, isFinal,
            TopicHash.Of(message.Slice(symbolStart, symbolLength), message.Slice(intervalStart, intervalLength), time, count));
        return true;
    }

    private static bool TryString(ReadOnlySpan<byte> message, ReadOnlySpan<byte> key, out int start, out int length)
    {
        start = 0;
        length = 0;
        int at = message.IndexOf(key);
        if (at < 0)
        {
            return false;
        }
        start = at + key.Length;
        length = message[start..].IndexOf((byte)'"');
        return length >= 0;
    }

    private static bool TryNumber(ReadOnlySpan<byte> message, ReadOnlySpan<byte> key, out long value)
    {
        value = 0;
        int at = message.IndexOf(key);
        return at >= 0 && Utf8Parser.TryParse(message[(at + key.Length)..], out value, out _);
    }
}

internal enum MessageKind
{
    Other = 0,
    Kline = 1,
    Confirmed = 2,
    Error = 3,
    History = 4,
}

/// <summary>The fields of one kline_data; <see cref="StateKey"/> identifies (symbol, interval, time, update_count).</summary>
internal readonly record struct Kline(long PushMs, long Time, long UpdateCount, bool IsFinal, ulong StateKey);

/// <summary>FNV-1a over (symbol, interval, time, update_count): the same key on the producing and receiving side.</summary>
internal static class TopicHash
{
    private const ulong Offset = 14695981039346656037UL;
    private const ulong Prime = 1099511628211UL;

    public static ulong Of(ReadOnlySpan<byte> symbol, ReadOnlySpan<byte> interval, long time, long updateCount)
    {
        ulong h = Offset;
        foreach (byte b in symbol)
        {
            h = (h ^ b) * Prime;
        }
        h = (h ^ (byte)'|') * Prime;
        foreach (byte b in interval)
        {
            h = (h ^ b) * Prime;
        }
        h = (h ^ (ulong)time) * Prime;
        h = (h ^ (ulong)updateCount) * Prime;
        return h;
    }
}
