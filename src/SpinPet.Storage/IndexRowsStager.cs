using RocksDbSharp;
using SpinPet.Core.Chain;
using SpinPet.Core.Events;
using SpinPet.Core.Indexing;

namespace SpinPet.Storage;

/// <summary>
/// Encodes the REST index rows into a write (docs/storage.md, "Layouts"): keys on the stack, one value buffer. Index
/// rows whose sort fields did not change are left alone: a partial close usually keeps the order's mint, type, start
/// price, user and start time, and then only the order row is rewritten.
/// </summary>
internal sealed class IndexRowsStager(Func<string, ColumnFamilyHandle> family)
{
    private readonly ColumnFamilyHandle _mintEvents = family(ColumnFamilyNames.MintEvents);
    private readonly ColumnFamilyHandle _userEvents = family(ColumnFamilyNames.UserEvents);
    private readonly ColumnFamilyHandle _mints = family(ColumnFamilyNames.Mints);
    private readonly ColumnFamilyHandle _mintsByFirst = family(ColumnFamilyNames.MintsByFirst);
    private readonly ColumnFamilyHandle _orders = family(ColumnFamilyNames.Orders);
    private readonly ColumnFamilyHandle _mintOrders = family(ColumnFamilyNames.MintOrders);
    private readonly ColumnFamilyHandle _userOrders = family(ColumnFamilyNames.UserOrders);
    private readonly ColumnFamilyHandle _userEventCounts = family(ColumnFamilyNames.UserEventCounts);
    private readonly ColumnFamilyHandle _mintEventSeqs = family(ColumnFamilyNames.MintEventSeqs);
    private readonly byte[] _buffer = new byte[IndexValues.OrderLength];

    public void MintEvent(StoreWrite write, in PublicKey mint, ChainPosition position, EventKind kind, long seq)
    {
        Span<byte> key = stackalloc byte[IndexKeys.OwnerPositionLength];
        Span<byte> seqKey = stackalloc byte[IndexKeys.MintSeqPositionLength];
        Span<byte> value = stackalloc byte[IndexValues.MintEventLength];
        IndexKeys.WriteOwnerPosition(key, mint, position.Slot, position.TxIndex, position.EventIndex);
        IndexValues.WriteMintEvent(value, kind);
        write.Put(key, value, _mintEvents);
        IndexKeys.WriteMintSeqPosition(seqKey, mint, seq, position);
        write.Put(seqKey, value, _mintEventSeqs);
    }

    public void UserEvent(StoreWrite write, in PublicKey user, ChainPosition position, EventKind kind, in PublicKey mint)
    {
        Span<byte> key = stackalloc byte[IndexKeys.OwnerPositionLength];
        Span<byte> value = stackalloc byte[IndexValues.UserEventLength];
        IndexKeys.WriteOwnerPosition(key, user, position.Slot, position.TxIndex, position.EventIndex);
        IndexValues.WriteUserEvent(value, kind, mint);
        write.Put(key, value, _userEvents);
    }

    public void UserEventCount(StoreWrite write, in PublicKey user, in PublicKey? mint, ulong count)
    {
        Span<byte> key = stackalloc byte[IndexKeys.UserMintLength];
        Span<byte> value = stackalloc byte[IndexValues.CountLength];
        var length = IndexKeys.WriteUserCount(key, user, mint);
        IndexValues.WriteCount(value, count);
        write.Put(key[..length], value, _userEventCounts);
    }

    public void Order(StoreWrite write, in PublicKey pda, OpenOrder? before, OpenOrder? after)
    {
        Span<byte> mintKey = stackalloc byte[IndexKeys.MintOrderLength];
        Span<byte> userKey = stackalloc byte[IndexKeys.UserOrderLength];
        Span<byte> userValue = stackalloc byte[IndexValues.UserOrderLength];
        bool sameMintKey = before is not null && after is not null && before.MintAccount == after.MintAccount
            && before.State.OrderType == after.State.OrderType && before.State.LockLpStartPrice == after.State.LockLpStartPrice;
        bool sameUserKey = before is not null && after is not null && before.State.User == after.State.User
            && before.State.StartTime == after.State.StartTime && before.MintAccount == after.MintAccount;
        if (before is not null)
        {
            if (!sameMintKey)
            {
                IndexKeys.WriteMintOrder(mintKey, before.MintAccount, before.State.OrderType, before.State.LockLpStartPrice, pda);
                write.Delete(mintKey, _mintOrders);
            }
            if (!sameUserKey)
            {
                IndexKeys.WriteUserOrder(userKey, before.State.User, before.State.StartTime, pda);
                write.Delete(userKey, _userOrders);
            }
            if (after is null)
            {
                write.Delete(pda.AsSpan(), _orders);
            }
        }
        if (after is not null)
        {
            IndexValues.WriteOrder(_buffer, after);
            write.Put(pda.AsSpan(), _buffer.AsSpan(0, IndexValues.OrderLength), _orders);
            if (!sameMintKey)
            {
                IndexKeys.WriteMintOrder(mintKey, after.MintAccount, after.State.OrderType, after.State.LockLpStartPrice, pda);
                write.Put(mintKey, IndexValues.Marker, _mintOrders);
            }
            if (!sameUserKey)
            {
                IndexKeys.WriteUserOrder(userKey, after.State.User, after.State.StartTime, pda);
                IndexValues.WriteUserOrder(userValue, after.MintAccount);
                write.Put(userKey, userValue, _userOrders);
            }
        }
    }

    public void Mint(StoreWrite write, MintDetails? before, MintDetails after)
    {
        Span<byte> key = stackalloc byte[IndexKeys.PositionMintLength];
        var mint = after.Mint;
        bool known = before is { EventCount: > 0 };
        if (!known || before!.FirstPosition != after.FirstPosition)
        {
            if (known)
            {
                IndexKeys.WritePositionMint(key, before!.FirstPosition, mint);
                write.Delete(key, _mintsByFirst);
            }
            IndexKeys.WritePositionMint(key, after.FirstPosition, mint);
            write.Put(key, IndexValues.Marker, _mintsByFirst);
        }
        IndexValues.WriteMint(_buffer, after);
        write.Put(mint.AsSpan(), _buffer.AsSpan(0, IndexValues.MintLength), _mints);
    }
}
