namespace SpinPet.Server.Api;

/// <summary><c>GET /api/events/status</c>: the ingest's own state, never a call to the RPC.</summary>
internal sealed record EventsStatus(
    bool IsRunning,
    string ConnectionStatus,
    string ProgramId,
    long LastEventTime,
    ulong LastProcessedSlot,
    string? LastProcessedSignature,
    ulong TotalEventsProcessed,
    bool CaughtUp,
    ulong ChainSlot,
    string? LastError,
    BackfillStatus Backfill,
    IngestCounters Counters);

internal sealed record BackfillStatus(bool Pending, long Runs, long SignaturesFound, long TransactionsApplied, long PeakSignaturesInMemory);

internal sealed record IngestCounters(
    ulong TransactionsStored,
    ulong FailedTransactionsStored,
    ulong RejectedPayloadsStored,
    long DuplicatesSkipped,
    long UnknownDiscriminators,
    long TrailingBytesAccepted,
    long TruncatedLogs,
    long LateTransactions,
    long Resyncs,
    long IngestErrors,
    RpcCounters Rpc,
    PubSubCounters PubSub);

internal sealed record RpcCounters(long RateLimited, long HttpErrors, long Timeouts, long ConnectionErrors, long Garbage, long Oversize);

internal sealed record PubSubCounters(long Connects, long Disconnects, long Notifications, long Garbage, long Oversize, long Dropped);
