using System.Buffers.Binary;
using SpinPet.Core.Chain;

namespace SpinPet.Storage;

/// <summary>
/// Key layouts. Integers are big-endian so that RocksDB's bytewise key order is numeric order: a little-endian
/// slot 256 (00 01 …) would sort before slot 1 (01 00 …). With big-endian keys an iterator walks chain order.
/// </summary>
internal static class Keys
{
    /// <summary>slot u64 ‖ txIndex u32 ‖ eventIndex u16, the order of <see cref="ChainPosition"/>.</summary>
    public const int PositionLength = 8 + 4 + 2;

    public const int SlotPrefixLength = 8;

    /// <summary>The signatures family is keyed by the 64 raw signature bytes.</summary>
    public const int SignatureLength = TxSignature.Length;

    /// <summary>Meta row: the newest fully processed transaction.</summary>
    public static ReadOnlySpan<byte> Checkpoint => "checkpoint"u8;

    /// <summary>Meta row: totals kept beside the data so that they survive restarts without a scan.</summary>
    public static ReadOnlySpan<byte> Counters => "counters"u8;

    public static void WritePosition(Span<byte> destination, ChainPosition position) =>
        WritePosition(destination, position.Slot, position.TxIndex, position.EventIndex);

    public static void WritePosition(Span<byte> destination, ulong slot, uint txIndex, ushort eventIndex)
    {
        BinaryPrimitives.WriteUInt64BigEndian(destination, slot);
        BinaryPrimitives.WriteUInt32BigEndian(destination[8..], txIndex);
        BinaryPrimitives.WriteUInt16BigEndian(destination[12..], eventIndex);
    }

    /// <summary>The greatest position key of a slot: <c>SeekForPrev</c> to it lands on the slot's last row.</summary>
    public static void WriteLastPositionOfSlot(Span<byte> destination, ulong slot) =>
        WritePosition(destination, slot, uint.MaxValue, ushort.MaxValue);

    public static bool TryReadPosition(ReadOnlySpan<byte> key, out ChainPosition position)
    {
        if (key.Length != PositionLength)
        {
            position = default;
            return false;
        }
        position = new ChainPosition(
            BinaryPrimitives.ReadUInt64BigEndian(key),
            BinaryPrimitives.ReadUInt32BigEndian(key[8..]),
            BinaryPrimitives.ReadUInt16BigEndian(key[12..]));
        return true;
    }

    public static ChainPosition ReadPosition(string columnFamily, ReadOnlySpan<byte> key) =>
        TryReadPosition(key, out var position)
            ? position
            : throw StoreCorruptedException.Row(columnFamily, key, $"a position key is {PositionLength} bytes, not {key.Length}");
}
