using System.Buffers.Binary;
using SpinPet.Core.Chain;

namespace SpinPet.Storage;

/// <summary>
/// Key layouts of the derived rows (docs/storage.md, "Derived rows"). Like every key of the store they are
/// big-endian, so one prefix (a mint, a user, a mint and an order type) is one contiguous range in the order the
/// API lists it: chain order for events, price order for a mint's orders, start time for a user's orders.
/// </summary>
internal static class IndexKeys
{
    /// <summary>mint ‖ position, and user ‖ position.</summary>
    public const int OwnerPositionLength = PublicKey.Length + Keys.PositionLength;

    /// <summary>mint ‖ seq u64 ‖ position (mint_event_seqs).</summary>
    public const int MintSeqPositionLength = PublicKey.Length + 8 + Keys.PositionLength;

    /// <summary>position ‖ mint (first seen, latest activity).</summary>
    public const int PositionMintLength = Keys.PositionLength + PublicKey.Length;

    /// <summary>mint ‖ order type u8 ‖ lock_lp_start_price u128 ‖ order PDA.</summary>
    public const int MintOrderLength = PublicKey.Length + 1 + 16 + PublicKey.Length;

    public const int MintOrderPrefixLength = PublicKey.Length + 1;

    /// <summary>user ‖ start_time u32 ‖ order PDA.</summary>
    public const int UserOrderLength = PublicKey.Length + 4 + PublicKey.Length;

    /// <summary>user ‖ mint: a user's event count in one mint (user_event_counts; the user alone is the total).</summary>
    public const int UserMintLength = PublicKey.Length + PublicKey.Length;

    /// <summary>Longer than every key of the derived families: the exclusive end of a range deletion of all of them.</summary>
    public const int LongestKey = MintOrderLength;

    public static void WriteOwnerPosition(Span<byte> destination, in PublicKey owner, ulong slot, uint txIndex, ushort eventIndex)
    {
        owner.CopyTo(destination);
        Keys.WritePosition(destination[PublicKey.Length..], slot, txIndex, eventIndex);
    }

    /// <summary>A mint_event_seqs key; with only the first 40 bytes (mint ‖ seq) it is where a scan for seqs ≥ seq starts.</summary>
    public static void WriteMintSeqPosition(Span<byte> destination, in PublicKey mint, long seq, ChainPosition position)
    {
        mint.CopyTo(destination);
        BinaryPrimitives.WriteInt64BigEndian(destination[PublicKey.Length..], seq);
        Keys.WritePosition(destination[(PublicKey.Length + 8)..], position);
    }

    /// <summary>The seq and position of a mint_event_seqs key.</summary>
    public static (long Seq, ChainPosition Position) ReadMintSeqPosition(ReadOnlySpan<byte> key)
    {
        CheckLength(ColumnFamilyNames.MintEventSeqs, key, MintSeqPositionLength);
        long seq = BinaryPrimitives.ReadInt64BigEndian(key[PublicKey.Length..]);
        return (seq, Keys.ReadPosition(ColumnFamilyNames.MintEventSeqs, key[(PublicKey.Length + 8)..]));
    }

    public static void WriteUserMint(Span<byte> destination, in PublicKey user, in PublicKey mint)
    {
        user.CopyTo(destination);
        mint.CopyTo(destination[PublicKey.Length..]);
    }

    /// <summary>A user_event_counts key: the user alone (the total) or user ‖ mint. Returns its length.</summary>
    public static int WriteUserCount(Span<byte> destination, in PublicKey user, in PublicKey? mint)
    {
        if (mint is { } m)
        {
            WriteUserMint(destination, user, m);
            return UserMintLength;
        }
        user.CopyTo(destination);
        return PublicKey.Length;
    }

    public static void WritePositionMint(Span<byte> destination, ChainPosition position, in PublicKey mint)
    {
        Keys.WritePosition(destination, position);
        mint.CopyTo(destination[Keys.PositionLength..]);
    }

    public static void WriteMintOrder(Span<byte> destination, in PublicKey mint, byte orderType, UInt128 lockLpStartPrice, in PublicKey orderPda)
    {
        mint.CopyTo(destination);
        destination[PublicKey.Length] = orderType;
        BinaryPrimitives.WriteUInt128BigEndian(destination[(PublicKey.Length + 1)..], lockLpStartPrice);
        orderPda.CopyTo(destination[(PublicKey.Length + 17)..]);
    }

    public static void WriteUserOrder(Span<byte> destination, in PublicKey user, uint startTime, in PublicKey orderPda)
    {
        user.CopyTo(destination);
        BinaryPrimitives.WriteUInt32BigEndian(destination[PublicKey.Length..], startTime);
        orderPda.CopyTo(destination[(PublicKey.Length + 4)..]);
    }

    /// <summary>The position in a mint ‖ position or user ‖ position key.</summary>
    public static ChainPosition ReadOwnerPosition(string family, ReadOnlySpan<byte> key)
    {
        CheckLength(family, key, OwnerPositionLength);
        return Keys.ReadPosition(family, key[PublicKey.Length..]);
    }

    /// <summary>The mint in a position ‖ mint key.</summary>
    public static PublicKey ReadPositionMint(string family, ReadOnlySpan<byte> key)
    {
        CheckLength(family, key, PositionMintLength);
        return new PublicKey(key[Keys.PositionLength..]);
    }

    /// <summary>The order PDA, the last 32 bytes of a mint_orders or user_orders key.</summary>
    public static PublicKey ReadOrderPda(string family, ReadOnlySpan<byte> key, int length)
    {
        CheckLength(family, key, length);
        return new PublicKey(key[^PublicKey.Length..]);
    }

    public static void CheckLength(string family, ReadOnlySpan<byte> key, int length)
    {
        if (key.Length != length)
        {
            throw StoreCorruptedException.Row(family, key, $"a key of this family is {length} bytes, not {key.Length}");
        }
    }
}
