using SpinPet.Core.Chain;
using SpinPet.Core.Indexing;
using SpinPet.Core.Ingest;
using SpinPet.Storage;

namespace SpinPet.Indexer.Indexes;

/// <summary>
/// Computes the REST API's rows from the transactions a batch stores and stages them into the batch's write: the
/// per-mint and per-user event lists, the mints (<see cref="MintStatistics"/>), the open orders (<see cref="OpenOrders"/>)
/// and the users' event counts. Because it sees exactly the new, successful transactions of each batch, the rows can
/// never disagree with the event log, and replaying the log through it (<see cref="IndexRebuild"/>) reproduces them.
/// </summary>
/// <remarks>
/// Hot path: per event one or two staged rows; per touched mint one copy of its row per batch (folded, then handed to
/// the store, which publishes it after the write); margin events add one point lookup of the order (answered by the
/// bloom filter for a new order); per touched user two count lookups per batch. Used by the applying thread only.
/// </remarks>
internal sealed class IndexRowsWriter(RestIndexStore indexes)
{
    /// <summary>Copies of the mints touched by the batch, with their rows as stored before it (null: a new mint).</summary>
    private readonly Dictionary<PublicKey, (MintDetails? Before, MintDetails After)> _mints = [];

    /// <summary>Orders touched by the batch: as stored before it (null: none) and as they stand now (null: removed).</summary>
    private readonly Dictionary<PublicKey, (OpenOrder? Before, OpenOrder? After)> _orders = [];

    /// <summary>Users' event counts touched by the batch, all mints (Mint = null) and per mint, as they stand now.</summary>
    private readonly Dictionary<(PublicKey User, PublicKey? Mint), ulong> _counts = [];

    /// <summary>
    /// Stages the rows of <paramref name="stored"/> (new, successful transactions, in the order applied), stored by the
    /// batch at the write's seq, or, for a rebuild, each by the batch at <paramref name="seqs"/>[t] (as the event log says).
    /// </summary>
    public void Stage(StoreWrite write, IReadOnlyList<IngestedTransaction> stored, IReadOnlyList<long>? seqs = null)
    {
        ArgumentNullException.ThrowIfNull(write);
        ArgumentNullException.ThrowIfNull(stored);
        _mints.Clear();
        _orders.Clear();
        _counts.Clear();
        // Consecutive events usually concern the same mint: remember the last one instead of a lookup per event.
        MintDetails? current = null;
        for (int t = 0; t < stored.Count; t++)
        {
            var transaction = stored[t];
            var events = transaction.Events;
            long seq = seqs is null ? write.Position.Seq : seqs[t];
            for (int i = 0; i < events.Count; i++)
            {
                var ev = events[i].Event;
                var position = transaction.PositionOf(events[i].Index);
                var mint = ev.MintAccount;
                if (current is null || current.Mint != mint)
                {
                    current = Pending(mint);
                }
                indexes.StageMintEvent(write, mint, position, ev.Kind, seq);
                MintStatistics.Observe(current, ev, position, transaction.BlockTime);
                if (Attribute(ev, transaction, position) is { } user)
                {
                    indexes.StageUserEvent(write, user, position, ev.Kind, mint);
                    Increment((user, null));
                    Increment((user, mint));
                }
            }
        }
        // Orders first: they change the open-order counts of their mints' rows.
        foreach (var (pda, (before, after)) in _orders)
        {
            indexes.StageOrder(write, pda, before, after);
            if (before is not null)
            {
                MintStatistics.CountOrder(Pending(before.MintAccount), before, -1);
            }
            if (after is not null)
            {
                MintStatistics.CountOrder(Pending(after.MintAccount), after, +1);
            }
        }
        foreach (var (_, (before, after)) in _mints)
        {
            indexes.StageMint(write, before, after);
        }
        foreach (var ((user, mint), count) in _counts)
        {
            indexes.StageUserEventCount(write, user, mint, count);
        }
    }

    private MintDetails Pending(in PublicKey mint)
    {
        if (_mints.TryGetValue(mint, out var rows))
        {
            return rows.After;
        }
        var stored = indexes.GetMint(mint);
        var after = stored?.Clone() ?? new MintDetails(mint);
        _mints[mint] = (stored, after);
        return after;
    }

    /// <summary>
    /// Folds a margin event into its order's pending state and returns whose event it is for /api/user_event
    /// (<see cref="OpenOrders.Owner"/>, which for a liquidation needs the order as it stood).
    /// </summary>
    private PublicKey? Attribute(Core.Events.SpinPetEvent ev, IngestedTransaction transaction, ChainPosition position)
    {
        if (OpenOrders.OrderOf(ev) is not { } pda)
        {
            return OpenOrders.Owner(ev, orderBefore: null);
        }
        if (!_orders.TryGetValue(pda, out var rows))
        {
            var stored = indexes.GetOrder(pda);
            rows = (stored, stored);
        }
        _orders[pda] = (rows.Before, OpenOrders.Apply(rows.After, ev, position, transaction.BlockTime, transaction.Signature));
        return OpenOrders.Owner(ev, rows.After);
    }

    /// <summary>
    /// One more event for the user. The first time a batch touches a count it is read from RocksDB (a bloom-filtered
    /// miss for a new user); afterwards it is a dictionary update, and the batch stages each touched count once.
    /// </summary>
    private void Increment((PublicKey User, PublicKey? Mint) key)
    {
        if (!_counts.TryGetValue(key, out var count))
        {
            count = indexes.CountUserEvents(key.User, key.Mint);
        }
        _counts[key] = count + 1;
    }
}
