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

    public bool Backfilling => _backfilling;

    /// <summary>Caught up: subscribed, no backfill running. Candles may be finalized only then.</summary>
    public bool CaughtUp => Enabled && ConnectionState == PubSubState.Subscribed && !_backfilling;

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

    internal void BackfillFinished() => _backfilling = false;

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
