using System.Collections.Concurrent;
using RocksDbSharp;
using SpinPet.Core.Chain;
using SpinPet.Core.Events;
using SpinPet.Core.Indexing;
using SpinPet.Core.Ingest;

namespace SpinPet.Storage;

/// <summary>
/// Computes the REST API's derived rows from the transactions being stored and stages them into the same
/// <see cref="WriteBatch"/> as the events: the per-mint and per-user event indexes, the mints with their first and
/// latest positions and totals, and the open margin orders with their per-mint and per-user indexes. Because it sees
/// exactly the new, successful transactions of each <c>Apply</c>, the rows can never disagree with the event log, and
/// replaying the log through it (<see cref="SpinPetStore.RebuildDerivedRows"/>) reproduces them.
/// </summary>
/// <remarks>
/// Hot path: per event one or two puts with keys built on the stack; per touched mint one copy of its in-memory row
/// and one to three puts/deletes per batch; margin events add one point lookup of the order (answered by the bloom
/// filter for a new order). The in-memory mint rows (loaded at open, one per mint) make /api/details and the mint
/// count lookups; staged copies are published only after the batch was written. Runs under the store's write lock.
/// </remarks>
internal sealed class DerivedRowsWriter
{
    private readonly RocksDb _db;
    private readonly ColumnFamilyHandle _mintEvents;
    private readonly ColumnFamilyHandle _userEvents;
    private readonly ColumnFamilyHandle _mints;
    private readonly ColumnFamilyHandle _mintsByFirst;
    private readonly ColumnFamilyHandle _orders;
    private readonly ColumnFamilyHandle _mintOrders;
    private readonly ColumnFamilyHandle _userOrders;
    private readonly ColumnFamilyHandle _userEventCounts;
    private readonly ConcurrentDictionary<PublicKey, MintDetails> _committed;

    /// <summary>Staged copies of the mints touched by the batch, with their rows as stored before it (null = new mint).</summary>
    private readonly Dictionary<PublicKey, (MintDetails Before, MintDetails After)> _pendingMints = [];

    /// <summary>Orders touched by the batch: as stored before it (null = none) and as they stand now (null = removed).</summary>
    private readonly Dictionary<PublicKey, (OpenOrder? Before, OpenOrder? After)> _pendingOrders = [];
    /// <summary>Users' event counts touched by the batch, all mints (Mint = null) and per mint, as they stand now.</summary>
    private readonly Dictionary<(PublicKey User, PublicKey? Mint), ulong> _pendingCounts = [];
    private readonly byte[] _buffer = new byte[IndexValues.OrderLength];
    private bool _pendingClear;

    private DerivedRowsWriter(RocksDb db, Func<string, ColumnFamilyHandle> family, ConcurrentDictionary<PublicKey, MintDetails> committed)
    {
        _db = db;
        _mintEvents = family(ColumnFamilyNames.MintEvents);
        _userEvents = family(ColumnFamilyNames.UserEvents);
        _mints = family(ColumnFamilyNames.Mints);
        _mintsByFirst = family(ColumnFamilyNames.MintsByFirst);
        _orders = family(ColumnFamilyNames.Orders);
        _mintOrders = family(ColumnFamilyNames.MintOrders);
        _userOrders = family(ColumnFamilyNames.UserOrders);
        _userEventCounts = family(ColumnFamilyNames.UserEventCounts);
        _committed = committed;
    }

    /// <summary>Every stored mint: one row per mint (~190 bytes), read once at open.</summary>
    public static DerivedRowsWriter Load(RocksDb db, Func<string, ColumnFamilyHandle> family)
    {
        var committed = new ConcurrentDictionary<PublicKey, MintDetails>();
        using (var iterator = db.NewIterator(family(ColumnFamilyNames.Mints)))
        {
            for (iterator.SeekToFirst(); iterator.Valid(); iterator.Next())
            {
                var mint = IndexValues.ReadMint(iterator.GetKeySpan(), iterator.GetValueSpan());
                committed[mint.Mint] = mint;
            }
            Native.Instance.rocksdb_iter_get_error(iterator.Handle);
        }
        return new DerivedRowsWriter(db, family, committed);
    }

    public int MintCount => _committed.Count;

    /// <summary>A snapshot of every published mint row (ConcurrentDictionary copies the values: safe while the writer publishes).</summary>
    public ICollection<MintDetails> Mints => _committed.Values;

    public MintDetails? GetMint(in PublicKey mint) => _committed.TryGetValue(mint, out var details) ? details : null;

    /// <summary>Forgets what an earlier, failed call staged. Called at the start of every write.</summary>
    public void Reset()
    {
        _pendingMints.Clear();
        _pendingOrders.Clear();
        _pendingCounts.Clear();
        _pendingClear = false;
    }

    /// <summary>Stages the derived rows of <paramref name="stored"/> (new, successful transactions, in the order applied).</summary>
    public void Stage(WriteBatch batch, IReadOnlyList<IngestedTransaction> stored)
    {
        Span<byte> key = stackalloc byte[IndexKeys.OwnerPositionLength];
        Span<byte> value = stackalloc byte[IndexValues.UserEventLength];
        // Consecutive events usually concern the same mint: remember the last one instead of a lookup per event.
        MintDetails? current = null;
        for (int t = 0; t < stored.Count; t++)
        {
            var transaction = stored[t];
            var events = transaction.Events;
            for (int i = 0; i < events.Count; i++)
            {
                var decoded = events[i];
                var ev = decoded.Event;
                var position = new ChainPosition(transaction.Slot, transaction.TxIndex, decoded.Index);
                var mint = ev.MintAccount;
                if (current is null || current.Mint != mint)
                {
                    current = Pending(mint);
                }

                IndexKeys.WriteOwnerPosition(key, mint, transaction.Slot, transaction.TxIndex, decoded.Index);
                IndexValues.WriteMintEvent(value, ev.Kind);
                batch.Put(key, value[..IndexValues.MintEventLength], _mintEvents);

                MintStatistics.Observe(current, ev, position, transaction.BlockTime);
                if (Attribute(ev, transaction, position) is { } user)
                {
                    IndexKeys.WriteOwnerPosition(key, user, transaction.Slot, transaction.TxIndex, decoded.Index);
                    IndexValues.WriteUserEvent(value, ev.Kind, mint);
                    batch.Put(key, value, _userEvents);
                    CountUserEvent(user, mint);
                }
            }
        }
        StageOrders(batch);
        StageMints(batch);
        StageCounts(batch);
    }

    /// <summary>Removes every derived row (one range deletion per family) and forgets the in-memory mints.</summary>
    public void StageClear(WriteBatch batch)
    {
        Reset();
        byte[] start = [0];
        var end = new byte[IndexKeys.LongestKey + 1];
        Array.Fill(end, (byte)0xFF);
        foreach (var family in new[] { _mintEvents, _userEvents, _mints, _mintsByFirst, _orders, _mintOrders, _userOrders, _userEventCounts })
        {
            batch.DeleteRange(start, (ulong)start.Length, end, (ulong)end.Length, family);
        }
        _pendingClear = true;
    }

    /// <summary>Makes the staged mint rows visible. Call only after the batch was written.</summary>
    public void Publish()
    {
        if (_pendingClear)
        {
            _committed.Clear();
        }
        foreach (var (mint, rows) in _pendingMints)
        {
            _committed[mint] = rows.After;
        }
        Reset();
    }

    private MintDetails Pending(in PublicKey mint)
    {
        if (_pendingMints.TryGetValue(mint, out var rows))
        {
            return rows.After;
        }
        if (!_pendingClear && _committed.TryGetValue(mint, out var stored))
        {
            _pendingMints[mint] = (stored, stored.Clone());
        }
        else
        {
            // A new mint: Before is a placeholder with EventCount 0, which StageMints reads as "no rows yet".
            _pendingMints[mint] = (new MintDetails(mint), new MintDetails(mint));
        }
        return _pendingMints[mint].After;
    }

    /// <summary>
    /// Folds a margin event into its order's pending state and returns whose event it is for /api/user_event
    /// (<see cref="OpenOrders.Owner"/>, which for a liquidation needs the order as it stood).
    /// </summary>
    private PublicKey? Attribute(SpinPetEvent ev, IngestedTransaction transaction, ChainPosition position)
    {
        if (OpenOrders.OrderOf(ev) is not { } pda)
        {
            return OpenOrders.Owner(ev, orderBefore: null);
        }
        var (before, after) = PendingOrder(pda);
        _pendingOrders[pda] = (before, OpenOrders.Apply(after, ev, position, transaction.BlockTime, transaction.Signature));
        return OpenOrders.Owner(ev, after);
    }

    private (OpenOrder? Before, OpenOrder? After) PendingOrder(in PublicKey orderPda)
    {
        if (_pendingOrders.TryGetValue(orderPda, out var rows))
        {
            return rows;
        }
        OpenOrder? stored = null;
        if (!_pendingClear)
        {
            var value = _db.Get(orderPda.AsSpan(), _orders);
            stored = value is null ? null : IndexValues.ReadOrder(orderPda.AsSpan(), value);
        }
        _pendingOrders[orderPda] = (stored, stored);
        return (stored, stored);
    }

    /// <summary>Writes each touched order with its index rows, moving index rows whose sort fields changed.</summary>
    private void StageOrders(WriteBatch batch)
    {
        Span<byte> mintKey = stackalloc byte[IndexKeys.MintOrderLength];
        Span<byte> userKey = stackalloc byte[IndexKeys.UserOrderLength];
        Span<byte> userValue = stackalloc byte[IndexValues.UserOrderLength];
        foreach (var (pda, (before, after)) in _pendingOrders)
        {
            // Index keys move only when their sort fields change: a partial close usually keeps the order's mint,
            // type, start price, user and start time, and then only the order row is rewritten.
            bool sameMintKey = before is not null && after is not null && before.MintAccount == after.MintAccount
                && before.State.OrderType == after.State.OrderType && before.State.LockLpStartPrice == after.State.LockLpStartPrice;
            bool sameUserKey = before is not null && after is not null && before.State.User == after.State.User
                && before.State.StartTime == after.State.StartTime && before.MintAccount == after.MintAccount;
            if (before is not null)
            {
                if (!sameMintKey)
                {
                    IndexKeys.WriteMintOrder(mintKey, before.MintAccount, before.State.OrderType, before.State.LockLpStartPrice, pda);
                    batch.Delete(mintKey, _mintOrders);
                }
                if (!sameUserKey)
                {
                    IndexKeys.WriteUserOrder(userKey, before.State.User, before.State.StartTime, pda);
                    batch.Delete(userKey, _userOrders);
                }
                Count(before, -1);
                if (after is null)
                {
                    batch.Delete(pda.AsSpan(), _orders);
                }
            }
            if (after is not null)
            {
                IndexValues.WriteOrder(_buffer, after);
                batch.Put(pda.AsSpan(), _buffer.AsSpan(0, IndexValues.OrderLength), _orders);
                if (!sameMintKey)
                {
                    IndexKeys.WriteMintOrder(mintKey, after.MintAccount, after.State.OrderType, after.State.LockLpStartPrice, pda);
                    batch.Put(mintKey, IndexValues.Marker, _mintOrders);
                }
                if (!sameUserKey)
                {
                    IndexKeys.WriteUserOrder(userKey, after.State.User, after.State.StartTime, pda);
                    IndexValues.WriteUserOrder(userValue, after.MintAccount);
                    batch.Put(userKey, userValue, _userOrders);
                }
                Count(after, +1);
            }
        }
    }

    private void Count(OpenOrder order, int delta) => MintStatistics.CountOrder(Pending(order.MintAccount), order, delta);

    /// <summary>
    /// One more event for the user, in total and in the mint. The first time a batch touches a count it is read from
    /// RocksDB (a bloom-filtered miss for a new user); afterwards it is a dictionary update, and the batch writes each
    /// touched count once (StageCounts). So /api/user_event's total is one point lookup, and a rebuild recounts it.
    /// </summary>
    private void CountUserEvent(in PublicKey user, in PublicKey mint)
    {
        Increment((user, null));
        Increment((user, mint));
    }

    private void Increment((PublicKey User, PublicKey? Mint) key)
    {
        if (!_pendingCounts.TryGetValue(key, out var count) && !_pendingClear)
        {
            count = ReadCount(_db, _userEventCounts, key.User, key.Mint);
        }
        _pendingCounts[key] = count + 1;
    }

    /// <summary>A user's stored event count (in one mint when given); 0 when the user has none.</summary>
    public static ulong ReadCount(RocksDb db, ColumnFamilyHandle family, in PublicKey user, in PublicKey? mint)
    {
        Span<byte> key = stackalloc byte[IndexKeys.UserMintLength];
        var length = CountKey(key, user, mint);
        var value = db.Get(key[..length], family);
        return value is null ? 0 : IndexValues.ReadCount(key[..length], value);
    }

    private static int CountKey(Span<byte> destination, in PublicKey user, in PublicKey? mint)
    {
        if (mint is { } m)
        {
            IndexKeys.WriteUserMint(destination, user, m);
            return IndexKeys.UserMintLength;
        }
        user.CopyTo(destination);
        return PublicKey.Length;
    }

    private void StageCounts(WriteBatch batch)
    {
        Span<byte> key = stackalloc byte[IndexKeys.UserMintLength];
        Span<byte> value = stackalloc byte[IndexValues.CountLength];
        foreach (var ((user, mint), count) in _pendingCounts)
        {
            var length = CountKey(key, user, mint);
            IndexValues.WriteCount(value, count);
            batch.Put(key[..length], value, _userEventCounts);
        }
    }

    /// <summary>Writes each touched mint's row and moves its first-seen index row when it changed.</summary>
    private void StageMints(WriteBatch batch)
    {
        Span<byte> key = stackalloc byte[IndexKeys.PositionMintLength];
        foreach (var (mint, (before, after)) in _pendingMints)
        {
            bool known = before.EventCount > 0;
            if (!known || before.FirstPosition != after.FirstPosition)
            {
                if (known)
                {
                    IndexKeys.WritePositionMint(key, before.FirstPosition, mint);
                    batch.Delete(key, _mintsByFirst);
                }
                IndexKeys.WritePositionMint(key, after.FirstPosition, mint);
                batch.Put(key, IndexValues.Marker, _mintsByFirst);
            }
            IndexValues.WriteMint(_buffer, after);
            batch.Put(mint.AsSpan(), _buffer.AsSpan(0, IndexValues.MintLength), _mints);
        }
    }
}
