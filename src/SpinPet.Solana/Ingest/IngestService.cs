using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SpinPet.Core.Chain;
using SpinPet.Core.Ingest;
using SpinPet.Solana.Decoding;
using SpinPet.Solana.PubSub;
using SpinPet.Solana.Rpc;

namespace SpinPet.Solana.Ingest;

/// <summary>
/// Follows the program from the node into the sink, exactly once and in chain order. One loop owns all state:
/// it backfills from the checkpoint (on start, after every (re)subscription and after a live-queue overflow),
/// then applies live notifications, skipping any signature already stored. The socket reader runs beside it
/// and never waits for it. Any failure (RPC gone, storage error) costs a back-off and a resync, never the loop.
/// </summary>
public sealed partial class IngestService : BackgroundService
{
    private const int PageSize = 1000;
    // One WriteBatch per 512 transactions: large enough to amortize the write, small enough to show progress.
    private const int BatchSize = 512;

    private readonly SolanaOptions _options;
    private readonly IIngestSink _sink;
    private readonly HttpClient _http;
    private readonly ILogger<IngestService> _logger;
    private readonly ILoggerFactory _loggers;
    private readonly TransactionDecoder _decoder;

    public IngestService(SolanaOptions options, IIngestSink sink, HttpClient http, ILoggerFactory loggers, IngestStatus status)
    {
        _options = options;
        _sink = sink;
        _http = http;
        _loggers = loggers;
        _logger = loggers.CreateLogger<IngestService>();
        Status = status;
        _decoder = new TransactionDecoder(options.ProgramKey);
        status.Enabled = options.EnableEventListener;
    }

    public IngestStatus Status { get; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.EnableEventListener)
        {
            LogDisabled(_logger);
            return;
        }
        var rpc = new SolanaRpcClient(_http, _options.RpcUri, _options.Commitment, TimeSpan.FromMilliseconds(_options.RpcTimeoutMs),
            _loggers.CreateLogger<SolanaRpcClient>(), Status.Rpc);
        var blockTimes = new BlockTimeCache(rpc, stoppingToken);
        var pubsub = new SolanaPubSubClient(_options.WsUri, _options.ProgramId, _options.Commitment,
            TimeSpan.FromMilliseconds(_options.WsIdleTimeoutMs), _options.LiveQueueCapacity,
            _loggers.CreateLogger<SolanaPubSubClient>(), blockTimes.Prefetch);
        Status.Client = pubsub;
        Status.SetRunning(true);
        var reader = pubsub.RunAsync(stoppingToken);
        try
        {
            await new Loop(this, rpc, pubsub, blockTimes).RunAsync(stoppingToken);
        }
        finally
        {
            Status.SetRunning(false);
            await reader;
        }
    }

    /// <summary>The applier's state for one run of the service.</summary>
    private sealed class Loop(IngestService owner, SolanaRpcClient rpc, SolanaPubSubClient pubsub, BlockTimeCache blockTimes)
    {
        private readonly IIngestSink _sink = owner._sink;
        private readonly IngestStatus _status = owner.Status;
        private readonly ILogger _logger = owner._logger;
        private readonly List<LiveNotification> _live = new(BatchSize);
        private readonly HashSet<TxSignature> _inBatch = [];
        private TxSequencer _sequencer = new(owner._sink.ReadCheckpoint());
        // Decode counts of the batch being built. They reach the status only when the batch is stored, so a batch
        // built again after a failure (a fetch, a block time or the write) is not counted twice.
        private DecodeTally _tally;

        public async Task RunAsync(CancellationToken ct)
        {
            var backoff = new Backoff(TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(30));
            bool resync = true;
            while (!ct.IsCancellationRequested)
            {
                try
                {
                    if (pubsub.TryTakeResync() || resync)
                    {
                        resync = true;
                        if (pubsub.Overflowed)
                        {
                            pubsub.ClearAfterOverflow();
                        }
                        _status.Resync();
                        await BackfillAsync(ct);
                        resync = false;
                        continue;
                    }
                    if (!await pubsub.Notifications.WaitToReadAsync(ct))
                    {
                        return;
                    }
                    _live.Clear();
                    while (_live.Count < BatchSize && pubsub.Notifications.TryRead(out var item))
                    {
                        // A wake marks a new subscription: what follows it may lie beyond the gap the reconnect left.
                        // Applied before the resync's backfill, it would move the checkpoint past the gap for good.
                        if (item.IsWake)
                        {
                            break;
                        }
                        _live.Add(item);
                    }
                    await ApplyLiveAsync(ct);
                    backoff.Reset();
                    _status.Recovered();
                }
                catch (OperationCanceledException) when (ct.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception ex)
                {
                    // Whatever it was (node gone, garbage, storage error), the checkpoint is intact: start over from it.
                    resync = true;
                    _status.BackfillFinished();
                    _status.Failed(ex.Message);
                    _sequencer = new TxSequencer(_sink.ReadCheckpoint());
                    var wait = backoff.Next();
                    LogIngestFailed(_logger, ex.GetType().Name, ex.Message, (long)wait.TotalMilliseconds);
                    await Task.Delay(wait, ct);
                }
            }
        }

        private async Task ApplyLiveAsync(CancellationToken ct)
        {
            var batch = new List<IngestedTransaction>(_live.Count);
            _inBatch.Clear();
            _tally = default;
            foreach (var notification in _live)
            {
                if (!TxSignature.TryParse(notification.Signature, out var signature))
                {
                    pubsub.ReportBadSignature(notification.Signature);
                    continue;
                }
                if (!_inBatch.Add(signature) || _sink.Contains(signature))
                {
                    _status.Duplicate();
                    continue;
                }
                // Failed transactions are recorded (never fetched again) but need no block time: they hold no events.
                long blockTime = notification.Failed ? 0 : await blockTimes.GetAsync(notification.Slot);
                batch.Add(Build(signature, notification.Slot, blockTime, notification.Failed, notification.Logs));
            }
            Commit(batch);
        }

        private async Task BackfillAsync(CancellationToken ct)
        {
            var clock = Stopwatch.StartNew();
            _status.BackfillStarted();
            _tally = default;
            var checkpoint = _sink.ReadCheckpoint();
            _sequencer = new TxSequencer(checkpoint);
            var signatures = await ListNewSignaturesAsync(checkpoint, ct);
            _status.BackfillFound(signatures.Count);

            // getTransaction calls run ahead of the applier in a window; they are awaited (and applied) in order.
            int window = owner._options.RpcMaxConcurrency;
            var inFlight = new Queue<(SignatureInfo Info, Task<TransactionInfo?> Fetch)>();
            var batch = new List<IngestedTransaction>(BatchSize);
            int next = 0;
            long applied = 0;
            while (next < signatures.Count || inFlight.Count > 0)
            {
                while (inFlight.Count < window && next < signatures.Count)
                {
                    var info = signatures[next++];
                    inFlight.Enqueue((info, info.Failed ? Task.FromResult<TransactionInfo?>(null) : FetchAsync(info.Signature, ct)));
                }
                var (entry, fetch) = inFlight.Dequeue();
                var transaction = await fetch;
                var signature = TxSignature.Parse(entry.Signature);
                if (entry.Failed || transaction?.Meta?.Failed == true)
                {
                    batch.Add(Build(signature, entry.Slot, entry.BlockTime ?? 0, failed: true, []));
                }
                else
                {
                    var slot = transaction!.Slot;
                    long blockTime = transaction.BlockTime ?? entry.BlockTime ?? await blockTimes.GetAsync(slot);
                    blockTimes.Remember(slot, blockTime);
                    batch.Add(Build(signature, slot, blockTime, failed: false, transaction.Meta?.LogMessages ?? []));
                }
                if (batch.Count >= BatchSize)
                {
                    applied += Commit(batch);
                    batch.Clear();
                }
            }
            applied += Commit(batch);
            _status.BackfillFinished();
            if (signatures.Count > 0)
            {
                LogBackfilled(_logger, signatures.Count, applied, clock.ElapsedMilliseconds);
            }
        }

        /// <summary>Pages backwards from the newest signature to the checkpoint; returns the new ones oldest first.</summary>
        private async Task<List<SignatureInfo>> ListNewSignaturesAsync(Checkpoint? checkpoint, CancellationToken ct)
        {
            var found = new List<SignatureInfo>();
            string? until = checkpoint?.Signature.ToString();
            string? before = null;
            // `until` stops at the checkpoint; the slot bound also stops a node that has pruned that signature.
            ulong floor = checkpoint?.Slot ?? owner._options.BackfillSinceSlot;
            while (true)
            {
                var page = await rpc.GetSignaturesForAddressAsync(owner._options.ProgramId, PageSize, before, until, ct);
                // Only an empty page ends the listing. A short page is no proof of the end: real nodes answer short
                // mid-history (at the local-ledger/Bigtable boundary, for one), and stopping there would move the
                // checkpoint past every older signature never listed. The end costs one extra, empty request.
                bool reachedEnd = page.Length == 0;
                foreach (var entry in page)
                {
                    if (entry.Slot < floor)
                    {
                        reachedEnd = true;
                        break;
                    }
                    if (TxSignature.TryParse(entry.Signature, out var signature) && !_sink.Contains(signature))
                    {
                        found.Add(entry);
                    }
                }
                _status.BackfillFound(found.Count);
                if (reachedEnd)
                {
                    break;
                }
                if (page[^1].Signature == before)
                {
                    // A node that ignores `before` answers the same page forever; only an empty page ends the loop.
                    throw new RpcUnavailableException($"getSignaturesForAddress: the node repeated the page before {before}");
                }
                before = page[^1].Signature;
            }
            found.Reverse();
            return found;
        }

        private async Task<TransactionInfo?> FetchAsync(string signature, CancellationToken ct)
        {
            // A node that listed a signature may answer null for a moment (another replica lags): ask again.
            var backoff = new Backoff(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(2));
            for (int attempt = 1; ; attempt++)
            {
                var transaction = await rpc.GetTransactionAsync(signature, ct);
                if (transaction is not null)
                {
                    return transaction;
                }
                if (attempt >= 10)
                {
                    throw new RpcUnavailableException($"getTransaction returned null for {signature}, which the node listed");
                }
                await Task.Delay(backoff.Next(), ct);
            }
        }

        private IngestedTransaction Build(TxSignature signature, ulong slot, long blockTime, bool failed, IReadOnlyList<string> logs)
        {
            if (_sequencer.IsLate(slot))
            {
                _status.Late();
                LogLate(_logger, signature.ToString(), slot);
            }
            uint txIndex = _sequencer.Next(signature, slot, _sink.LastTxIndexInSlot);
            if (failed)
            {
                return new IngestedTransaction(signature, slot, txIndex, blockTime, true, [], []);
            }
            var decoded = owner._decoder.Decode(logs);
            _tally.Add(decoded);
            if (decoded.Truncated)
            {
                LogTruncated(_logger, signature.ToString());
            }
            foreach (var rejected in decoded.RejectedPayloads)
            {
                LogRejected(_logger, signature.ToString(), rejected.Index, rejected.Reason);
            }
            return new IngestedTransaction(signature, slot, txIndex, blockTime, false, decoded.Events, decoded.RejectedPayloads);
        }

        private int Commit(List<IngestedTransaction> batch)
        {
            _sequencer.EndBatch();
            var tally = _tally;
            _tally = default;
            if (batch.Count == 0 || _sequencer.Newest is not { } checkpoint)
            {
                return 0;
            }
            _sink.Apply(batch, checkpoint);
            _status.Decoded(tally.Rejected, tally.Unknown, tally.Trailing, tally.Truncated);
            int events = 0, failed = 0;
            long eventTime = 0;
            foreach (var tx in batch)
            {
                events += tx.Events.Count;
                failed += tx.Failed ? 1 : 0;
                eventTime = tx.Events.Count > 0 ? Math.Max(eventTime, tx.BlockTime) : eventTime;
            }
            _status.Applied(checkpoint.Slot, checkpoint.Signature.ToString(), eventTime, batch.Count, events, failed);
            if (_status.Backfilling)
            {
                _status.BackfillApplied(batch.Count);
            }
            return batch.Count;
        }
    }

    /// <summary>What the decoder found in the transactions of one batch.</summary>
    private struct DecodeTally
    {
        public int Rejected;
        public int Unknown;
        public int Trailing;
        public int Truncated;

        public void Add(TransactionDecodeResult decoded)
        {
            Rejected += decoded.Rejected;
            Unknown += decoded.UnknownDiscriminators;
            Trailing += decoded.TrailingBytes;
            Truncated += decoded.Truncated ? 1 : 0;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Event listener disabled (solana.enable_event_listener = false): serving stored data only")]
    private static partial void LogDisabled(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ingest failed ({Kind}: {Reason}); resyncing from the checkpoint in {DelayMs} ms")]
    private static partial void LogIngestFailed(ILogger logger, string kind, string reason, long delayMs);

    [LoggerMessage(Level = LogLevel.Information, Message = "Backfill: {Found} new transactions listed, {Applied} applied in {ElapsedMs} ms")]
    private static partial void LogBackfilled(ILogger logger, int found, long applied, long elapsedMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Late transaction {Signature} for slot {Slot}, older than the newest applied slot")]
    private static partial void LogLate(ILogger logger, string signature, ulong slot);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Log truncated in transaction {Signature}: events after the cut are lost")]
    private static partial void LogTruncated(ILogger logger, string signature);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rejected event {Index} of {Signature}: {Reason} (payload kept for replay)")]
    private static partial void LogRejected(ILogger logger, string signature, int index, string reason);
}
