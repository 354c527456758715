namespace SpinPet.Solana.Ingest;

/// <summary>
/// What the ingest knows to be on chain and has not applied yet. "Caught up" means this is empty, nothing else: a
/// connected socket says nothing about a notification stuck behind a failing <c>getBlockTime</c>.
/// </summary>
/// <remarks>
/// Two counts, raised where the knowledge arrives and lowered only once it is stored:
/// <list type="bullet">
/// <item><b>live items</b>: every notification and wake marker the socket reader queues (raised before the write,
/// lowered again if the queue refused it); the applier lowers them after the batch holding them was committed or
/// given up for a resync, or when it empties the queue after an overflow.</item>
/// <item><b>resyncs</b>: a resync the reader requested (a new subscription, an overflow, a notification it could
/// not read) until the applier takes it, and the applier's own hold from its decision to backfill (at start, after
/// a failure, on taking a request) until a backfill has succeeded. A failed backfill keeps the hold through its
/// back-off.</item>
/// </list>
/// Every hand-over raises the receiving count before it lowers the giving one (the applier holds a resync before it
/// drops a failed batch's items or empties the queue), and readers read the live count first: the two reads can
/// therefore never both see zero while something known is unapplied.
/// </remarks>
public sealed class IngestBacklog
{
    private long _live;
    private long _resyncs;

    /// <summary>Notifications (and wake markers) queued or being applied.</summary>
    public long LiveItems => Volatile.Read(ref _live);

    /// <summary>A resync requested, running, or waiting to retry after a failure: earlier slots may be missing.</summary>
    public bool ResyncPending => Volatile.Read(ref _resyncs) != 0;

    /// <summary>Nothing known to be on chain is unapplied.</summary>
    public bool IsEmpty => Volatile.Read(ref _live) == 0 && Volatile.Read(ref _resyncs) == 0;

    internal void LiveAdded() => Interlocked.Increment(ref _live);

    internal void LiveDone(long count)
    {
        if (count != 0)
        {
            Interlocked.Add(ref _live, -count);
        }
    }

    internal void ResyncAdded() => Interlocked.Increment(ref _resyncs);

    internal void ResyncDone() => Interlocked.Decrement(ref _resyncs);
}
