using System.Diagnostics;
using System.Diagnostics.Metrics;
using SpinPet.Core.Figures;
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
    private readonly Figure _transactions = new();
    private readonly Figure _events = new();
    private readonly Figure _failedTransactions = new();
    private readonly Figure _duplicates = new();
    private readonly Figure _rejected = new();
    private readonly Figure _unknownDiscriminators = new();
    private readonly Figure _trailingBytes = new();
    private readonly Figure _truncatedLogs = new();
    private readonly Figure _late = new();
    private readonly Figure _resyncs = new();
    private readonly Figure _errors = new();
    private long _backfillFound;
    private long _backfillApplied;
    private readonly Figure _backfillRuns = new();
    private long _backfillHeldPeak;
    private volatile bool _backfilling;
    private volatile bool _running;
    private volatile string? _lastSignature;
    private volatile string? _lastError;

    public bool Enabled { get; internal set; } = true;

    /// <summary>
    /// Where <see cref="LiveApplied"/> records, in milliseconds: from a live notification's receipt to the end of the
    /// write that applied it (decode, block time, sequencing, the queue before it, the store and the candles). Set by
    /// the host's metrics; nothing is recorded without it.
    /// </summary>
    public Histogram<double>? LiveApplyLatency { get; set; }

    public bool IsRunning => _running;

    /// <summary>A live notification received at <paramref name="receivedAt"/> (<see cref="Stopwatch"/> ticks) is applied now.</summary>
    internal void LiveApplied(long receivedAt)
    {
        if (receivedAt != 0)
        {
            LiveApplyLatency?.Record(Stopwatch.GetElapsedTime(receivedAt).TotalMilliseconds);
        }
    }

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

    public long TransactionsApplied => _transactions.Value;

    public long EventsApplied => _events.Value;

    public long FailedTransactionsSkipped => _failedTransactions.Value;

    public long DuplicatesSkipped => _duplicates.Value;

    public long RejectedPayloads => _rejected.Value;

    public long UnknownDiscriminators => _unknownDiscriminators.Value;

    public long TrailingBytesAccepted => _trailingBytes.Value;

    public long TruncatedLogs => _truncatedLogs.Value;

    public long LateTransactions => _late.Value;

    public long Resyncs => _resyncs.Value;

    public long Errors => _errors.Value;

    public long BackfillSignaturesFound => Volatile.Read(ref _backfillFound);

    public long BackfillTransactionsApplied => Volatile.Read(ref _backfillApplied);

    public long BackfillRuns => _backfillRuns.Value;

    /// <summary>
    /// The most listed signatures a backfill held in memory at once since the start: one page (at most 1,000),
    /// whatever the history's length, since listed pages wait in storage (<see cref="IBackfillJournal"/>).
    /// </summary>
    public long BackfillPeakSignaturesHeld => Volatile.Read(ref _backfillHeldPeak);

    internal void SetRunning(bool running) => _running = running;

    internal void BackfillStarted()
    {
        _backfilling = true;
        _backfillRuns.Add(1);
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
        _transactions.Add(transactions);
        _events.Add(events);
        _failedTransactions.Add(failed);
    }

    internal void Duplicate() => _duplicates.Add(1);

    internal void Decoded(int rejected, int unknown, int trailing, int truncated)
    {
        if (rejected != 0)
        {
            _rejected.Add(rejected);
        }
        if (unknown != 0)
        {
            _unknownDiscriminators.Add(unknown);
        }
        if (trailing != 0)
        {
            _trailingBytes.Add(trailing);
        }
        if (truncated != 0)
        {
            _truncatedLogs.Add(truncated);
        }
    }

    internal void Late() => _late.Add(1);

    internal void Resync() => _resyncs.Add(1);

    internal void Failed(string error)
    {
        _lastError = error;
        _errors.Add(1);
    }

    internal void Recovered() => _lastError = null;
}
