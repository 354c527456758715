using SpinPet.Indexer;
using System.Diagnostics.Metrics;
using SpinPet.Core.Events;
using SpinPet.Indexer.Metadata;
using SpinPet.Solana.Ingest;
using SpinPet.Storage;
using SpinPet.Streaming;

namespace SpinPet.Server.Observability;

/// <summary>
/// The server's instruments (design document §7.2), on one <see cref="Meter"/> named <c>SpinPet</c>. They are
/// observable: they read the counters the ingest, the store and the candle engine already keep, only when /metrics is
/// scraped, so the hot paths pay nothing for metrics. The /ws service's instruments are its own
/// (<see cref="StreamingCounters"/>, on a meter of the same name).
/// </summary>
/// <remarks>
/// Names and units are chosen for the Prometheus exporter, which turns dots into underscores, appends the unit
/// (<c>ms</c> → <c>_milliseconds</c>, <c>s</c> → <c>_seconds</c>, <c>By</c> → <c>_bytes</c>; a <c>{…}</c>
/// annotation adds nothing) and <c>_total</c> to counters: <c>spinpet.ws.messages_sent</c> is scraped as
/// <c>spinpet_ws_messages_sent_total</c>.
/// </remarks>
internal sealed class SpinPetMetrics : IDisposable
{
    public const string MeterName = "SpinPet";

    public const string BroadcastLatencyName = StreamingCounters.BroadcastLatencyName;

    /// <summary>
    /// Publish-to-socket latency buckets in ms: 0.1 ms (an idle server) to 1 s (a stalled writer), roughly 1-2.5-5
    /// per decade, with the design target (&lt; 50 ms, §7.1) on a boundary.
    /// </summary>
    public static readonly double[] BroadcastLatencyBucketsMs = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000];

    public const string LiveApplyLatencyName = "spinpet.ingest.live_apply_latency";

    /// <summary>1 ms to 10 s: a slot's batch takes milliseconds; a backlog after a stall takes seconds.</summary>
    public static readonly double[] LiveApplyLatencyBucketsMs = [1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000];

    private static readonly KeyValuePair<string, object?>[][] EventKindTags = [.. Enum.GetValues<EventKind>().Select(kind => new[] { new KeyValuePair<string, object?>("type", kind.ToString()) })];

    private static readonly EventKind[] EventKinds = Enum.GetValues<EventKind>();

    private readonly Meter _meter = new(MeterName);
    private readonly IngestStatus _ingest;
    private readonly SpinPetStore _store;
    private readonly TimeProvider _time;
    private readonly FolderSize _storageSize;

    public SpinPetMetrics(
        IngestStatus ingest,
        SpinPetStore store,
        SpinPetIndexer candles,
        TokenMetadataCounters metadata,
        TokenMetadataQueue metadataQueue,
        string storagePath,
        TimeProvider time)
    {
        _ingest = ingest;
        _store = store;
        _time = time;
        _storageSize = new FolderSize(storagePath, time);

        // /ws: StreamingCounters makes its instruments on this meter's name itself (design document §7.2).

        // Ingest.
        _meter.CreateObservableGauge("spinpet.ingest.lag_slots", ObserveLagSlots, "{slot}", "Newest chain slot seen minus the slot of the newest applied transaction.");
        _meter.CreateObservableGauge("spinpet.ingest.lag", ObserveLagSeconds, "s", "While caught up: now minus the block time of the newest applied event.");
        _meter.CreateObservableGauge("spinpet.ingest.caught_up", () => ingest.CaughtUp ? 1 : 0, "{boolean}", "1 when caught up: subscribed and nothing known on chain unapplied (no backfill requested, running or retrying, no live notification waiting); only then does the wall clock finalize candles.");
        _meter.CreateObservableCounter("spinpet.ingest.events", ObserveEvents, "{event}", "Events stored, by event type (exact across restarts).");
        _meter.CreateObservableCounter("spinpet.ingest.rejected_payloads", () => (long)store.Meta.Counters.RejectedPayloads, "{payload}", "Program data that did not decode, kept for replay.");
        _meter.CreateObservableCounter("spinpet.ingest.late_candle_events", () => candles.LateEvents, "{event}", "(price event, interval) pairs skipped: the candle of their bucket was already final, or their block time fell in a bucket older than the topic's newest (block time going backwards).");
        _meter.CreateObservableGauge("spinpet.ingest.backfill_pending", ObserveBackfillPending, "{transaction}", "Transactions the running backfill still has to apply; 0 when none runs.");
        _meter.CreateObservableGauge("spinpet.ingest.backfill_signatures_found", () => ingest.BackfillSignaturesFound, "{signature}", "Signatures the current or last backfill found.");
        _meter.CreateObservableGauge("spinpet.ingest.backfill_transactions_applied", () => ingest.BackfillTransactionsApplied, "{transaction}", "Transactions the current or last backfill applied.");
        ingest.LiveApplyLatency = _meter.CreateHistogram<double>(LiveApplyLatencyName, "ms",
            "From a live notification's receipt to the end of the write that applied it (duplicates included: they are settled in the same pass).");
        _meter.CreateObservableCounter("spinpet.ingest.reconnects", () => ingest.PubSub?.Disconnects.Value ?? 0, "{reconnect}", "PubSub connections lost or refused, each followed by a reconnect.");
        _meter.CreateObservableCounter("spinpet.rpc.errors", ObserveRpcErrors, "{error}", "Failed JSON-RPC attempts by kind (each retried).");
        _meter.CreateObservableCounter("spinpet.pubsub.garbage_frames", () => ingest.PubSub?.Garbage.Value ?? 0, "{frame}", "PubSub frames that were not valid notifications.");
        _meter.CreateObservableCounter("spinpet.pubsub.dropped_notifications", () => ingest.PubSub?.Dropped.Value ?? 0, "{notification}", "Live notifications dropped because the live queue was full (each recovered by the resync that follows).");
        _meter.CreateObservableCounter("spinpet.pubsub.subscribe_refused", () => ingest.PubSub?.SubscribeRefused.Value ?? 0, "{connection}", "Connections ended because the node refused logsSubscribe (each followed by a reconnect).");
        _meter.CreateObservableCounter("spinpet.pubsub.reader_failures", () => ingest.PubSub?.ReaderFailures.Value ?? 0, "{connection}", "Connections ended by an unforeseen exception on the read path, not a network failure (each followed by a reconnect).");

        // Token metadata (the ipfs fetcher).
        _meter.CreateObservableCounter("spinpet.metadata.fetched", () => metadata.Fetched, "{token}", "Token metadata documents fetched and stored.");
        _meter.CreateObservableCounter("spinpet.metadata.failed", () => ObserveMetadataFailures(metadata), "{token}", "Token metadata fetches that failed: permanent (stored, never retried) or gave_up (every attempt failed transiently; stored, tried again at the next start).");
        _meter.CreateObservableCounter("spinpet.metadata.retries", () => metadata.Retries, "{attempt}", "Metadata fetch attempts repeated after a transient failure.");
        _meter.CreateObservableCounter("spinpet.metadata.dropped", () => metadataQueue.Dropped, "{token}", "Tokens not queued because the metadata queue was full (found again by a rescan).");
        _meter.CreateObservableUpDownCounter("spinpet.metadata.queue_depth", () => metadataQueue.Depth, "{token}", "Tokens waiting for a metadata fetch, new and parked for a retry.");
        _meter.CreateObservableUpDownCounter("spinpet.metadata.parked", () => metadataQueue.Parked, "{token}", "Tokens parked for a retry after a transient failure (back-off or Retry-After).");
        _meter.CreateObservableUpDownCounter("spinpet.metadata.in_flight", () => metadata.InFlight, "{request}", "Metadata HTTP requests in flight.");

        // Candles and storage.
        _meter.CreateObservableCounter("spinpet.candles.finalized", () => candles.FinalizedCandles, "{candle}", "Newest candles marked final by the finalizer.");
        _meter.CreateObservableUpDownCounter("spinpet.rocksdb.size", () => _storageSize.Bytes, "By", $"Bytes of every file in the storage folder, measured at most every {FolderSize.MaxAge.TotalSeconds:0} s.");
    }

    public void Dispose() => _meter.Dispose();

    private IEnumerable<Measurement<long>> ObserveLagSlots()
    {
        ulong chain = _ingest.ChainSlot;
        if (!_ingest.Enabled || chain == 0)
        {
            return [];
        }
        ulong processed = _ingest.LastProcessedSlot;
        return [new Measurement<long>(chain > processed ? (long)(chain - processed) : 0)];
    }

    private IEnumerable<Measurement<double>> ObserveLagSeconds()
    {
        long eventTime = _ingest.LastEventTime;
        if (!_ingest.CaughtUp || eventTime <= 0)
        {
            // Behind (backfilling, reconnecting) the backfill gauges tell the progress instead.
            return [];
        }
        double lag = _time.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0 - eventTime;
        return [new Measurement<double>(Math.Max(0, lag))];
    }

    private IEnumerable<Measurement<long>> ObserveEvents()
    {
        var counters = _store.Meta.Counters;
        var measurements = new Measurement<long>[EventKinds.Length];
        for (int i = 0; i < EventKinds.Length; i++)
        {
            measurements[i] = new Measurement<long>((long)counters.EventsOf(EventKinds[i]), EventKindTags[i]);
        }
        return measurements;
    }

    private IEnumerable<Measurement<long>> ObserveBackfillPending()
    {
        long pending = _ingest.Backfilling ? _ingest.BackfillSignaturesFound - _ingest.BackfillTransactionsApplied : 0;
        return [new Measurement<long>(Math.Max(0, pending))];
    }

    private static Measurement<long>[] ObserveMetadataFailures(TokenMetadataCounters metadata) =>
    [
        new(metadata.Failed, new KeyValuePair<string, object?>("kind", "permanent")),
        new(metadata.GaveUp, new KeyValuePair<string, object?>("kind", "gave_up")),
    ];

    private IEnumerable<Measurement<long>> ObserveRpcErrors()
    {
        var rpc = _ingest.Rpc;
        return
        [
            new(rpc.RateLimited.Value, new KeyValuePair<string, object?>("kind", "rate_limited")),
            new(rpc.HttpErrors.Value, new KeyValuePair<string, object?>("kind", "http")),
            new(rpc.Timeouts.Value, new KeyValuePair<string, object?>("kind", "timeout")),
            new(rpc.ConnectionErrors.Value, new KeyValuePair<string, object?>("kind", "connection")),
            new(rpc.Garbage.Value, new KeyValuePair<string, object?>("kind", "garbage")),
            new(rpc.Oversize.Value, new KeyValuePair<string, object?>("kind", "oversize")),
        ];
    }
}
