using SpinPet.Core.Chain;
using SpinPet.Core.Indexing;

namespace SpinPet.Storage;

/// <summary>
/// Mints by latest activity, newest first, picked from the in-memory mint rows with a bounded heap
/// (O(mints × log(skip + limit))): activity changes with nearly every batch, so it has no index on disk. The cursor is
/// latest position ‖ mint, the form of the other mint lists.
/// </summary>
internal static class MintActivity
{
    public static IndexPage<MintDetails> Page(ICollection<MintDetails> mints, byte[]? after, int skip, int limit)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(skip);
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        if (after is not null && after.Length != IndexKeys.PositionMintLength)
        {
            throw new ArgumentException($"A cursor of this list is {IndexKeys.PositionMintLength} bytes, not {after.Length}.", nameof(after));
        }
        ChainPosition? before = after is null ? null : Keys.ReadPosition(ColumnFamilyNames.Mints, after.AsSpan(0, Keys.PositionLength));
        // The newest skip + limit + 1 (one more answers has_more) older than the cursor: a min-heap keeps the newest.
        int wanted = skip + limit + 1;
        var newest = new PriorityQueue<MintDetails, ChainPosition>(Math.Min(wanted, 1 << 16) + 1);
        foreach (var mint in mints)
        {
            if (before is { } bound && mint.LatestPosition >= bound)
            {
                continue;
            }
            newest.Enqueue(mint, mint.LatestPosition);
            if (newest.Count > wanted)
            {
                newest.Dequeue();
            }
        }
        var descending = new MintDetails[newest.Count];
        for (int i = descending.Length - 1; i >= 0; i--)
        {
            descending[i] = newest.Dequeue();
        }
        var items = descending.Skip(skip).Take(limit).ToList();
        bool hasMore = descending.Length > skip + limit;
        byte[]? next = null;
        if (hasMore)
        {
            next = new byte[IndexKeys.PositionMintLength];
            IndexKeys.WritePositionMint(next, items[^1].LatestPosition, items[^1].Mint);
        }
        return new IndexPage<MintDetails>(items, hasMore, next);
    }
}
