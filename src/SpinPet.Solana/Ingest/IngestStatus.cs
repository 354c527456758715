using SpinPet.Solana.PubSub;
using SpinPet.Solana.Rpc;

namespace SpinPet.Solana.Ingest;

/// <summary>
/// What the ingest is doing, kept by the ingest loop (its only writer) and read by health checks, the status
/// route and metrics without ever calling the RPC.
/// </summary>
public sealed class IngestStatus
{
    private long _lastSlot;
    private long _lastEventTime;
    private long _transactions;
    private long _events;
    private long _failedTransactions;
    private long _duplicates;
    private long _rejected;
    private long _unknownDiscriminators;
    private long _trailingBytes;
    private long _truncatedLogs;
    private long _late;
    private long _resyncs;
    private long _errors;
    private long _backfillFound;
    private long _backfillApplied;
    private long _backfillRuns;
    private long _backfillHeldPeak;
    private volatile bool _backfilling;
    private volatile bool _running;
    private volatile string? _lastSignature;
    private volatile string? _lastError;

    public bool Enabled { get; internal set; } = true;

    public bool IsRunning => _running;

    public RpcClientCounters Rpc { get; } = new();

    public PubSubCounters? PubSub => Client?.Counters;

    internal SolanaPubSubClient? Client { get; set; }

    public PubSubState ConnectionState => Enabled ? Client?.State ?? PubSubState.Connecting : PubSubState.Disabled;

    public string? ConnectionError => Client?.LastError;

    public ulong ChainSlot => Client?.LatestSlot ?? 0;

    /// <summary>What is known to be on chain and not applied yet (see <see cref="IngestBacklog"/>).</summary>
    public IngestBacklog Backlog { get; } = new();

    /// <summary>A backfill is running right now.</summary>
    public bool Backfilling => _backfilling;

    /// <summary>A backfill is requested, running, or waiting to retry after a failure.</summary>
    public bool BackfillPending => Backlog.ResyncPending;

    /// <summary>
    /// Caught up: subscribed and nothing known to be on chain unapplied — no backfill requested, running or waiting
    /// to retry, no notification queued or being applied (its block time still being fetched, say). The wall clock
    /// may finalize candles only then; <c>/health</c>, the status route and <c>spinpet_ingest_caught_up</c> read this.
    /// </summary>
    public bool CaughtUp => Enabled && ConnectionState == PubSubState.Subscribed && Backlog.IsEmpty;

    /// <summary>
    /// Subscribed with no backfill of earlier slots pending: everything before the newest applied transaction is
    /// applied, so the chain clock (the newest applied block time) may finalize. Queued notifications do not matter:
    /// they come after it and are applied in order.
    /// </summary>
    public bool NoBackfillPending => Enabled && ConnectionState == PubSubState.Subscribed && !Backlog.ResyncPending;

    /// <summary>
    /// The wall clock the finalizer may use (unix ms), or null while not <see cref="CaughtUp"/>. While the node sends
    /// slot notifications it is the moment of the newest one when that is older than <paramref name="nowMs"/>: a socket
    /// that went silent without closing still reads subscribed until <c>solana.ws_idle_timeout_ms</c>, and a bucket
    /// whose grace ended after the node was last heard of may still have trades on their way.
    /// </summary>
    public long? TrustedWallClockMs(long nowMs)
    {
        if (!CaughtUp)
        {
            return null;
        }
        return Client?.SlotHeardAtMs is { } heard && heard < nowMs ? heard : nowMs;
    }

    public ulong LastProcessedSlot => (ulong)Volatile.Read(ref _lastSlot);

    public string? LastProcessedSignature => _lastSignature;

    /// <summary>Block time (unix seconds) of the newest applied event; 0 before any.</summary>
    public long LastEventTime => Volatile.Read(ref _lastEventTime);

    public string? LastError => _lastError;

    public long TransactionsApplied => Volatile.Read(ref _transactions);

    public long EventsApplied => Volatile.Read(ref _events);

    public long FailedTransactionsSkipped => Volatile.Read(ref _failedTransactions);

    public long DuplicatesSkipped => Volatile.Read(ref _duplicates);

    public long RejectedPayloads => Volatile.Read(ref _rejected);

    public long UnknownDiscriminators => Volatile.Read(ref _unknownDiscriminators);

    public long TrailingBytesAccepted => Volatile.Read(ref _trailingBytes);

    public long TruncatedLogs => Volatile.Read(ref _truncatedLogs);

    public long LateTransactions => Volatile.Read(ref _late);

    public long Resyncs => Volatile.Read(ref _resyncs);

    public long Errors => Volatile.Read(ref _errors);

    public long BackfillSignaturesFound => Volatile.Read(ref _backfillFound);

    public long BackfillTransactionsApplied => Volatile.Read(ref _backfillApplied);

    public long BackfillRuns => Volatile.Read(ref _backfillRuns);

    /// <summary>
    /// The most listed signatures a backfill held in memory at once since the start: one page (at most 1,000),
    /// whatever the history's length, since listed pages wait in storage (<see cref="IBackfillJournal"/>).
    /// </summary>
    public long BackfillPeakSignaturesHeld => Volatile.Read(ref _backfillHeldPeak);

    internal void SetRunning(bool running) => _running = running;

    internal void BackfillStarted()
    {
        _backfilling = true;
        Interlocked.Increment(ref _backfillRuns);
        Volatile.Write(ref _backfillFound, 0);
        Volatile.Write(ref _backfillApplied, 0);
    }

    internal void BackfillFound(long count) => Volatile.Write(ref _backfillFound, count);

    internal void BackfillApplied(long count) => Interlocked.Add(ref _backfillApplied, count);

    /// <summary>The backfill has <paramref name="count"/> listed signatures in hand (a page being listed or applied).</summary>
    internal void BackfillHolding(long count)
    {
        // One writer (the ingest loop): a plain compare-and-store is enough.
        if (count > Volatile.Read(ref _backfillHeldPeak))
        {
            Volatile.Write(ref _backfillHeldPeak, count);
        }
    }

    /// <summary>The backfill ended, done or failed (a failed one stays pending: see <see cref="BackfillPending"/>).</summary>
    internal void BackfillEnded() => _backfilling = false;

    internal void Applied(ulong slot, string signature, long eventTime, int transactions, int events, int failed)
    {
        Volatile.Write(ref _lastSlot, (long)slot);
        _lastSignature = signature;
        if (eventTime > 0)
        {
            Volatile.Write(ref _lastEventTime, eventTime);
        }
        Interlocked.Add(ref _transactions, transactions);
        Interlocked.Add(ref _events, events);
        Interlocked.Add(ref _failedTransactions, failed);
    }

    internal void Duplicate() => Interlocked.Increment(ref _duplicates);

    internal void Decoded(int rejected, int unknown, int trailing, int truncated)
    {
        if (rejected != 0)
        {
            Interlocked.Add(ref _rejected, rejected);
        }
        if (unknown != 0)
        {
            Interlocked.Add(ref _unknownDiscriminators, unknown);
        }
        if (trailing != 0)
        {
            Interlocked.Add(ref _trailingBytes, trailing);
        }
        if (truncated != 0)
        {
            Interlocked.Add(ref _truncatedLogs, truncated);
        }
    }

    internal void Late() => Interlocked.Increment(ref _late);

    internal void Resync() => Interlocked.Increment(ref _resyncs);

    internal void Failed(string error)
    {
        _lastError = error;
        Interlocked.Increment(ref _errors);
    }

    internal void Recovered() => _lastError = null;
}
