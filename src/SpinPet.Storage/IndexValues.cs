using SpinPet.Core.Indexing;
using System.Buffers.Binary;
using SpinPet.Core.Chain;
using SpinPet.Core.Events;

namespace SpinPet.Storage;

/// <summary>
/// Value layouts of the derived rows (docs/storage.md, "Derived rows"): a format version byte first, integers
/// big-endian, fixed lengths. Readers check length and version and throw <see cref="StoreCorruptedException"/>.
/// </summary>
internal static class IndexValues
{
    public const byte Version = 1;

    /// <summary>mint_events: version ‖ kind.</summary>
    public const int MintEventLength = 2;

    /// <summary>user_events: version ‖ kind ‖ mint.</summary>
    public const int UserEventLength = 2 + PublicKey.Length;

    /// <summary>user_orders: version ‖ mint.</summary>
    public const int UserOrderLength = 1 + PublicKey.Length;

    /// <summary>user_event_counts: version ‖ count u64.</summary>
    public const int CountLength = 1 + 8;

    /// <summary>
    /// The <c>derived_rows</c> marker's value: which derived families the database has. 1 = up to user_orders; 2 adds
    /// user_event_counts; 3 adds mint_event_seqs. A database marked with an older version is rebuilt at open.
    /// </summary>
    public const byte DerivedRowsVersion = 3;

    /// <summary>mints_by_first, mint_orders: version only, the key says everything.</summary>
    public const int MarkerLength = 1;

    /// <summary>See docs/storage.md, "mints value".</summary>
    public const int MintLength = 189;

    /// <summary>See docs/storage.md, "orders value".</summary>
    public const int OrderLength = 352;

    private const byte HasCreated = 1;
    private const byte HasPrice = 2;
    private const byte HasFees = 4;

    public static ReadOnlySpan<byte> Marker => [Version];

    public static void WriteMintEvent(Span<byte> destination, EventKind kind)
    {
        destination[0] = Version;
        destination[1] = (byte)kind;
    }

    public static void WriteUserEvent(Span<byte> destination, EventKind kind, in PublicKey mint)
    {
        destination[0] = Version;
        destination[1] = (byte)kind;
        mint.CopyTo(destination[2..]);
    }

    /// <summary>The mint of a user_events value (the user's events can be filtered by mint without reading them).</summary>
    public static PublicKey ReadUserEventMint(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        Check(ColumnFamilyNames.UserEvents, key, value, UserEventLength);
        return new PublicKey(value[2..]);
    }

    public static void WriteCount(Span<byte> destination, ulong count)
    {
        destination[0] = Version;
        BinaryPrimitives.WriteUInt64BigEndian(destination[1..], count);
    }

    public static ulong ReadCount(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        Check(ColumnFamilyNames.UserEventCounts, key, value, CountLength);
        return BinaryPrimitives.ReadUInt64BigEndian(value[1..]);
    }

    public static void WriteUserOrder(Span<byte> destination, in PublicKey mint)
    {
        destination[0] = Version;
        mint.CopyTo(destination[1..]);
    }

    public static PublicKey ReadUserOrderMint(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        Check(ColumnFamilyNames.UserOrders, key, value, UserOrderLength);
        return new PublicKey(value[1..]);
    }

    public static void WriteMint(Span<byte> d, MintDetails m)
    {
        d[0] = Version;
        d[1] = (byte)((m.CreatedPosition is null ? 0 : HasCreated) | (m.LatestPrice is null ? 0 : HasPrice) | (m.FeesPosition is null ? 0 : HasFees));
        Keys.WritePosition(d[2..], m.FirstPosition);
        BinaryPrimitives.WriteInt64BigEndian(d[16..], m.FirstBlockTime);
        Keys.WritePosition(d[24..], m.LatestPosition);
        BinaryPrimitives.WriteInt64BigEndian(d[38..], m.LatestBlockTime);
        Keys.WritePosition(d[46..], m.CreatedPosition ?? default);
        BinaryPrimitives.WriteUInt128BigEndian(d[60..], m.LatestPrice ?? UInt128.Zero);
        Keys.WritePosition(d[76..], m.LatestPricePosition);
        BinaryPrimitives.WriteInt64BigEndian(d[90..], m.LatestTradeTime);
        BinaryPrimitives.WriteUInt128BigEndian(d[98..], m.TotalSolAmount);
        BinaryPrimitives.WriteUInt128BigEndian(d[114..], m.TotalMarginSolAmount);
        BinaryPrimitives.WriteUInt64BigEndian(d[130..], m.TotalForceLiquidations);
        BinaryPrimitives.WriteUInt128BigEndian(d[138..], m.TotalCloseProfit);
        BinaryPrimitives.WriteUInt16BigEndian(d[154..], m.SwapFee);
        BinaryPrimitives.WriteUInt16BigEndian(d[156..], m.BorrowFee);
        d[158] = m.FeeDiscountFlag;
        Keys.WritePosition(d[159..], m.FeesPosition ?? default);
        BinaryPrimitives.WriteUInt64BigEndian(d[173..], m.EventCount);
        BinaryPrimitives.WriteUInt32BigEndian(d[181..], m.OpenLongOrders);
        BinaryPrimitives.WriteUInt32BigEndian(d[185..], m.OpenShortOrders);
    }

    public static MintDetails ReadMint(ReadOnlySpan<byte> key, ReadOnlySpan<byte> v)
    {
        IndexKeys.CheckLength(ColumnFamilyNames.Mints, key, PublicKey.Length);
        Check(ColumnFamilyNames.Mints, key, v, MintLength);
        byte flags = v[1];
        return new MintDetails(new PublicKey(key))
        {
            FirstPosition = Position(v[2..]),
            FirstBlockTime = BinaryPrimitives.ReadInt64BigEndian(v[16..]),
            LatestPosition = Position(v[24..]),
            LatestBlockTime = BinaryPrimitives.ReadInt64BigEndian(v[38..]),
            CreatedPosition = (flags & HasCreated) != 0 ? Position(v[46..]) : null,
            LatestPrice = (flags & HasPrice) != 0 ? BinaryPrimitives.ReadUInt128BigEndian(v[60..]) : null,
            LatestPricePosition = Position(v[76..]),
            LatestTradeTime = BinaryPrimitives.ReadInt64BigEndian(v[90..]),
            TotalSolAmount = BinaryPrimitives.ReadUInt128BigEndian(v[98..]),
            TotalMarginSolAmount = BinaryPrimitives.ReadUInt128BigEndian(v[114..]),
            TotalForceLiquidations = BinaryPrimitives.ReadUInt64BigEndian(v[130..]),
            TotalCloseProfit = BinaryPrimitives.ReadUInt128BigEndian(v[138..]),
            SwapFee = BinaryPrimitives.ReadUInt16BigEndian(v[154..]),
            BorrowFee = BinaryPrimitives.ReadUInt16BigEndian(v[156..]),
            FeeDiscountFlag = v[158],
            FeesPosition = (flags & HasFees) != 0 ? Position(v[159..]) : null,
            EventCount = BinaryPrimitives.ReadUInt64BigEndian(v[173..]),
            OpenLongOrders = BinaryPrimitives.ReadUInt32BigEndian(v[181..]),
            OpenShortOrders = BinaryPrimitives.ReadUInt32BigEndian(v[185..]),
        };
    }

    public static void WriteOrder(Span<byte> d, OpenOrder o)
    {
        var s = o.State;
        d[0] = Version;
        o.MintAccount.CopyTo(d[1..]);
        d[33] = s.OrderType;
        s.Mint.CopyTo(d[34..]);
        s.User.CopyTo(d[66..]);
        BinaryPrimitives.WriteUInt128BigEndian(d[98..], s.LockLpStartPrice);
        BinaryPrimitives.WriteUInt128BigEndian(d[114..], s.LockLpEndPrice);
        BinaryPrimitives.WriteUInt64BigEndian(d[130..], s.LockLpSolAmount);
        BinaryPrimitives.WriteUInt64BigEndian(d[138..], s.LockLpTokenAmount);
        BinaryPrimitives.WriteUInt32BigEndian(d[146..], s.StartTime);
        BinaryPrimitives.WriteUInt32BigEndian(d[150..], s.EndTime);
        BinaryPrimitives.WriteUInt64BigEndian(d[154..], s.MarginSolAmount);
        BinaryPrimitives.WriteUInt64BigEndian(d[162..], s.BorrowAmount);
        BinaryPrimitives.WriteUInt64BigEndian(d[170..], s.PositionAssetAmount);
        BinaryPrimitives.WriteUInt16BigEndian(d[178..], s.BorrowFee);
        Keys.WritePosition(d[180..], o.OpenedPosition);
        BinaryPrimitives.WriteInt64BigEndian(d[194..], o.OpenedBlockTime);
        o.OpenedSignature.CopyTo(d[202..]);
        Keys.WritePosition(d[266..], o.UpdatedPosition);
        BinaryPrimitives.WriteInt64BigEndian(d[280..], o.UpdatedBlockTime);
        o.UpdatedSignature.CopyTo(d[288..]);
    }

    public static OpenOrder ReadOrder(ReadOnlySpan<byte> key, ReadOnlySpan<byte> v)
    {
        IndexKeys.CheckLength(ColumnFamilyNames.Orders, key, PublicKey.Length);
        Check(ColumnFamilyNames.Orders, key, v, OrderLength);
        var state = new OrderState(
            v[33],
            new PublicKey(v.Slice(34, PublicKey.Length)),
            new PublicKey(v.Slice(66, PublicKey.Length)),
            BinaryPrimitives.ReadUInt128BigEndian(v[98..]),
            BinaryPrimitives.ReadUInt128BigEndian(v[114..]),
            BinaryPrimitives.ReadUInt64BigEndian(v[130..]),
            BinaryPrimitives.ReadUInt64BigEndian(v[138..]),
            BinaryPrimitives.ReadUInt32BigEndian(v[146..]),
            BinaryPrimitives.ReadUInt32BigEndian(v[150..]),
            BinaryPrimitives.ReadUInt64BigEndian(v[154..]),
            BinaryPrimitives.ReadUInt64BigEndian(v[162..]),
            BinaryPrimitives.ReadUInt64BigEndian(v[170..]),
            BinaryPrimitives.ReadUInt16BigEndian(v[178..]));
        return new OpenOrder(
            new PublicKey(key),
            new PublicKey(v.Slice(1, PublicKey.Length)),
            state,
            Position(v[180..]),
            BinaryPrimitives.ReadInt64BigEndian(v[194..]),
            new TxSignature(v.Slice(202, TxSignature.Length)),
            Position(v[266..]),
            BinaryPrimitives.ReadInt64BigEndian(v[280..]),
            new TxSignature(v.Slice(288, TxSignature.Length)));
    }

    private static ChainPosition Position(ReadOnlySpan<byte> bytes) =>
        new(BinaryPrimitives.ReadUInt64BigEndian(bytes), BinaryPrimitives.ReadUInt32BigEndian(bytes[8..]), BinaryPrimitives.ReadUInt16BigEndian(bytes[12..]));

    public static void Check(string family, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, int length)
    {
        if (value.Length != length)
        {
            throw StoreCorruptedException.Row(family, key, $"the value is {value.Length} bytes, the layout has {length}");
        }
        if (value[0] != Version)
        {
            throw StoreCorruptedException.Row(family, key, $"format version {value[0]} is not the known version {Version}");
        }
    }
}
