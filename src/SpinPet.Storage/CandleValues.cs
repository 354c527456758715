using System.Buffers.Binary;
using System.Text;
using SpinPet.Core.Candles;

namespace SpinPet.Storage;

/// <summary>
/// Value layouts of the candle families (docs/storage.md). Prices are the IEEE 754 bits of the doubles,
/// little-endian: a round trip is exact to the last bit (2.7958993476234855E-08 comes back as itself), which text or
/// decimal scaling would not guarantee. Integers are big-endian like the rest of the store.
/// </summary>
internal static class CandleValues
{
    /// <summary>Version 2 adds updated_seq; version-1 rows (written before positions) read as updated at seq 0.</summary>
    public const byte CandleVersion = 2;
    public const byte CandleVersion1 = 1;
    public const byte TopicVersion = 1;

    /// <summary>version ‖ open ‖ high ‖ low ‖ close ‖ volume (f64 each) ‖ update count i64 ‖ flags u8 ‖ updated_seq u64.</summary>
    public const int CandleLength = 1 + (5 * 8) + 8 + 1 + 8;

    /// <summary>Version 1: the same without updated_seq.</summary>
    public const int CandleLength1 = 1 + (5 * 8) + 8 + 1;

    /// <summary>version ‖ candle count u64 ‖ newest time i64 ‖ name length u8, then the interval name (ASCII).</summary>
    public const int TopicHeaderLength = 1 + 8 + 8 + 1;

    /// <summary>Interval names are a letter and a count of at most 19 digits, so 20 bytes bound every valid one.</summary>
    public const int MaxTopicLength = TopicHeaderLength + 20;

    private const byte FinalFlag = 1;

    public static void WriteCandle(Span<byte> destination, in Candle candle, long updatedSeq)
    {
        destination[0] = CandleVersion;
        BinaryPrimitives.WriteDoubleLittleEndian(destination[1..], candle.Open);
        BinaryPrimitives.WriteDoubleLittleEndian(destination[9..], candle.High);
        BinaryPrimitives.WriteDoubleLittleEndian(destination[17..], candle.Low);
        BinaryPrimitives.WriteDoubleLittleEndian(destination[25..], candle.Close);
        BinaryPrimitives.WriteDoubleLittleEndian(destination[33..], candle.Volume);
        BinaryPrimitives.WriteInt64BigEndian(destination[41..], candle.UpdateCount);
        destination[49] = candle.IsFinal ? FinalFlag : (byte)0;
        BinaryPrimitives.WriteInt64BigEndian(destination[50..], updatedSeq);
    }

    /// <summary>The candle stored under <paramref name="key"/> (a checked candle key: the time comes from it).</summary>
    public static Candle ReadCandle(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        Check(key, value);
        return new Candle(
            CandleKeys.ReadTime(key),
            BinaryPrimitives.ReadDoubleLittleEndian(value[1..]),
            BinaryPrimitives.ReadDoubleLittleEndian(value[9..]),
            BinaryPrimitives.ReadDoubleLittleEndian(value[17..]),
            BinaryPrimitives.ReadDoubleLittleEndian(value[25..]),
            BinaryPrimitives.ReadDoubleLittleEndian(value[33..]),
            BinaryPrimitives.ReadInt64BigEndian(value[41..]),
            (value[49] & FinalFlag) != 0);
    }

    /// <summary>The seq of the batch that last changed the candle (0 for a version-1 row).</summary>
    public static long ReadUpdatedSeq(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        Check(key, value);
        if (value[0] == CandleVersion1)
        {
            return 0;
        }
        long seq = BinaryPrimitives.ReadInt64BigEndian(value[50..]);
        return seq >= 0 ? seq : throw StoreCorruptedException.Row(ColumnFamilyNames.Candles, key, $"updated_seq {seq} is negative");
    }

    /// <summary>A fixed layout per version: a longer or shorter row is damage, not a later extension (that bumps the version).</summary>
    private static void Check(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        if (value.Length > 0 && value[0] == CandleVersion1)
        {
            if (value.Length != CandleLength1)
            {
                throw StoreCorruptedException.Row(ColumnFamilyNames.Candles, key, $"the value is {value.Length} bytes, a version-1 candle is {CandleLength1}");
            }
            return;
        }
        if (value.Length != CandleLength)
        {
            throw StoreCorruptedException.Row(ColumnFamilyNames.Candles, key, $"the value is {value.Length} bytes, a candle is {CandleLength}");
        }
        if (value[0] != CandleVersion)
        {
            throw StoreCorruptedException.Row(ColumnFamilyNames.Candles, key, $"format version {value[0]} is not the known version {CandleVersion}");
        }
    }

    public static int WriteTopic(Span<byte> destination, in CandleTopic topic)
    {
        destination[0] = TopicVersion;
        BinaryPrimitives.WriteUInt64BigEndian(destination[1..], (ulong)topic.Count);
        BinaryPrimitives.WriteInt64BigEndian(destination[9..], topic.NewestTime);
        int nameLength = Encoding.ASCII.GetBytes(topic.Interval.Name, destination[TopicHeaderLength..]);
        destination[17] = (byte)nameLength;
        return TopicHeaderLength + nameLength;
    }

    /// <summary>A topic row; its name must parse to an interval of the length in <paramref name="key"/> (a checked topic key).</summary>
    public static CandleTopic ReadTopic(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        const string Family = ColumnFamilyNames.CandleTopics;
        if (value.Length < TopicHeaderLength)
        {
            throw StoreCorruptedException.Row(Family, key, $"the value is {value.Length} bytes, the layout needs at least {TopicHeaderLength}");
        }
        if (value[0] != TopicVersion)
        {
            throw StoreCorruptedException.Row(Family, key, $"format version {value[0]} is not the known version {TopicVersion}");
        }
        int nameLength = value[17];
        if (value.Length != TopicHeaderLength + nameLength)
        {
            throw StoreCorruptedException.Row(Family, key, $"a {nameLength}-byte name needs {TopicHeaderLength + nameLength} bytes, not {value.Length}");
        }
        // Interval names are ASCII; every byte is one char, and a non-ASCII byte cannot parse.
        Span<char> name = stackalloc char[nameLength];
        for (int i = 0; i < nameLength; i++)
        {
            name[i] = (char)value[TopicHeaderLength + i];
        }
        uint seconds = CandleKeys.ReadSeconds(key);
        if (!Interval.TryParse(name, out var interval) || interval.Seconds != seconds)
        {
            throw StoreCorruptedException.Row(Family, key, $"'{name}' is not an interval of {seconds} s");
        }
        ulong count = BinaryPrimitives.ReadUInt64BigEndian(value[1..]);
        if (count > long.MaxValue)
        {
            throw StoreCorruptedException.Row(Family, key, $"candle count {count} is out of range");
        }
        return new CandleTopic(interval, (long)count, BinaryPrimitives.ReadInt64BigEndian(value[9..]));
    }
}
