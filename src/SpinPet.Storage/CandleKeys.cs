using System.Buffers.Binary;
using SpinPet.Core.Candles;
using SpinPet.Core.Chain;

namespace SpinPet.Storage;

/// <summary>
/// Key layouts of the candle families. A topic is mint ‖ interval seconds (u32 BE); a candle key appends the bucket
/// time as an i64 with the sign bit flipped, big-endian. Flipping the sign bit maps long.MinValue..long.MaxValue onto
/// 0..ulong.MaxValue in order, so bytewise order is numeric order for negative times too (plain two's complement
/// would put −1 = FF… after every positive time). One topic's candles are therefore one contiguous, time-ordered
/// key range: a history page is one bounded Seek or SeekForPrev plus <c>limit</c> steps.
/// </summary>
internal static class CandleKeys
{
    public const int TopicLength = PublicKey.Length + 4;

    public const int CandleLength = TopicLength + 8;

    /// <summary>
    /// An exclusive upper bound just above the candle key of a time: that key ‖ 00. It is greater than the key and
    /// smaller than every greater key, so "time ≤ t" needs no t + 1 (which would overflow at long.MaxValue).
    /// </summary>
    public const int InclusiveUpperBoundLength = CandleLength + 1;

    private const ulong SignBit = 1UL << 63;

    /// <summary>The interval as stored in keys. Lengths beyond a u32 (136 years) are refused, not truncated.</summary>
    public static uint Seconds(Interval interval)
    {
        if (interval.Seconds <= 0 || interval.Seconds > uint.MaxValue || interval.Name is null)
        {
            throw new ArgumentException(
                $"Interval '{interval.Name}' ({interval.Seconds} s) cannot be stored: candles need 1 … {uint.MaxValue} s.", nameof(interval));
        }
        return (uint)interval.Seconds;
    }

    public static void WriteTopic(Span<byte> destination, in PublicKey mint, uint seconds)
    {
        mint.CopyTo(destination);
        BinaryPrimitives.WriteUInt32BigEndian(destination[PublicKey.Length..], seconds);
    }

    public static void WriteCandle(Span<byte> destination, in PublicKey mint, uint seconds, long time)
    {
        WriteTopic(destination, mint, seconds);
        BinaryPrimitives.WriteUInt64BigEndian(destination[TopicLength..], EncodeTime(time));
    }

    /// <summary>The candle key of <paramref name="time"/> followed by a 00 byte: the exclusive bound for "≤ time".</summary>
    public static void WriteInclusiveUpperBound(Span<byte> destination, in PublicKey mint, uint seconds, long time)
    {
        WriteCandle(destination, mint, seconds, time);
        destination[CandleLength] = 0;
    }

    public static ulong EncodeTime(long time) => (ulong)time ^ SignBit;

    public static long DecodeTime(ulong encoded) => (long)(encoded ^ SignBit);

    public static PublicKey ReadMint(ReadOnlySpan<byte> key) => new(key[..PublicKey.Length]);

    public static uint ReadSeconds(ReadOnlySpan<byte> key) => BinaryPrimitives.ReadUInt32BigEndian(key[PublicKey.Length..]);

    public static long ReadTime(ReadOnlySpan<byte> key) => DecodeTime(BinaryPrimitives.ReadUInt64BigEndian(key[TopicLength..]));

    public static void CheckCandleKey(ReadOnlySpan<byte> key)
    {
        if (key.Length != CandleLength)
        {
            throw StoreCorruptedException.Row(ColumnFamilyNames.Candles, key, $"a candle key is {CandleLength} bytes, not {key.Length}");
        }
    }

    public static void CheckTopicKey(ReadOnlySpan<byte> key)
    {
        if (key.Length != TopicLength)
        {
            throw StoreCorruptedException.Row(ColumnFamilyNames.CandleTopics, key, $"a topic key is {TopicLength} bytes, not {key.Length}");
        }
    }
}
