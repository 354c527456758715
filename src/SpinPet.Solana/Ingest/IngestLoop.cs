using Microsoft.Extensions.Logging;
using SpinPet.Core.Chain;
using SpinPet.Core.Ingest;
using SpinPet.Core.Stream;
using SpinPet.Solana.Decoding;
using SpinPet.Solana.PubSub;
using SpinPet.Solana.Rpc;

namespace SpinPet.Solana.Ingest;

/// <summary>
/// The applier of one run of <see cref="IngestService"/>: it owns all ingest state. It backfills from the checkpoint
/// (on start, after every (re)subscription and after a live-queue overflow), then applies live notifications in
/// batches, skipping any signature already stored. It is the stream's one appender: between two of its batches it also
/// appends the clock that finalizes candles when one is due (<see cref="FinalizeSchedule"/>), waking four times a second
/// while the chain is quiet. Any failure costs a back-off and a resync, never the loop.
/// </summary>
internal sealed partial class IngestLoop(
    SolanaOptions options, IBatchStream stream, IAppliedState applied, IBackfillJournal journal, TransactionDecoder decoder, IngestStatus status,
    ILogger logger, SolanaRpcClient rpc, SolanaPubSubClient pubsub, BlockTimeCache blockTimes, FinalizeSchedule finalize)
{
    // One WriteBatch per 512 transactions: large enough to amortize the write, small enough to show progress.
    private const int BatchSize = 512;

    private readonly List<LiveNotification> _live = new(BatchSize);
    private readonly HashSet<TxSignature> _inBatch = [];
    private readonly IngestBacklog _backlog = status.Backlog;
    private TxSequencer _sequencer = new(applied.ReadCheckpoint());
    // The idle wait's wake-up for finalization; its pending tick outlives a wait that notifications ended.
    private readonly PeriodicTimer _finalizeTimer = new(FinalizeSchedule.Tick, finalize.Time);
    private Task<bool>? _tick;
    // Items taken off the live queue (wake markers included) and not yet released from the backlog.
    private int _taken;
    // The applier's own resync in the backlog: held from the decision to backfill until a backfill succeeded.
    private bool _resyncHeld;
    // Decode counts of the batch being built. They reach the status only when the batch is stored, so a batch
    // built again after a failure (a fetch, a block time or the write) is not counted twice.
    private DecodeTally _tally;
    // Warnings about one transaction, 100 a minute of each kind: enough to read what goes on, and a chain (or a lying
    // node) that makes every transaction worth one cannot make the log the ingest's bottleneck (each line is formatted
    // on this thread) or bury every other line. The status counters and /metrics count every one.
    private readonly LogThrottle _lateLog = new(TimeSpan.FromMinutes(1), finalize.Time, linesPerInterval: 100);
    private readonly LogThrottle _truncatedLog = new(TimeSpan.FromMinutes(1), finalize.Time, linesPerInterval: 100);
    private readonly LogThrottle _rejectedLog = new(TimeSpan.FromMinutes(1), finalize.Time, linesPerInterval: 100);

    public async Task RunAsync(CancellationToken ct)
    {
        using var timer = _finalizeTimer;
        var backoff = new Backoff(TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(30));
        // The start-up backfill: until it succeeded, earlier slots are missing.
        HoldResync();
        while (!ct.IsCancellationRequested)
        {
            try
            {
                if (pubsub.ResyncRequested)
                {
                    // Held before the request is taken, so the backlog never reads empty in between.
                    HoldResync();
                }
                if (_resyncHeld)
                {
                    pubsub.TryTakeResync();
                    if (pubsub.Overflowed)
                    {
                        pubsub.ClearAfterOverflow();
                    }
                    status.Resync();
                    await BackfillAsync(ct);
                    _resyncHeld = false;
                    _backlog.ResyncDone();
                    status.Recovered();
                    continue;
                }
                if (finalize.IsTime())
                {
                    await FinalizeIfDueAsync(ct);
                }
                if (!await WaitForLiveAsync(ct))
                {
                    return;
                }
                _live.Clear();
                while (_live.Count < BatchSize && pubsub.TryRead(out var item))
                {
                    _taken++;
                    // A wake marks a new subscription: what follows it may lie beyond the gap the reconnect left.
                    // Applied before the resync's backfill, it would move the checkpoint past the gap for good.
                    if (item.IsWake)
                    {
                        break;
                    }
                    _live.Add(item);
                }
                await ApplyLiveAsync(ct);
                ReleaseTaken();
                backoff.Reset();
                status.Recovered();
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // Whatever it was (node gone, garbage, storage error), the checkpoint is intact: start over from it.
                // The resync is held through the back-off: the items of the failed batch, and anything a failed
                // backfill had still to apply, are on chain and unapplied until a backfill brings them.
                HoldResync();
                ReleaseTaken();
                status.BackfillEnded();
                status.Failed(ex.Message);
                _sequencer = new TxSequencer(applied.ReadCheckpoint());
                var wait = backoff.Next();
                LogIngestFailed(logger, ex.GetType().Name, ex.Message, (long)wait.TotalMilliseconds);
                await Task.Delay(wait, ct);
            }
        }
    }

    private void HoldResync()
    {
        if (!_resyncHeld)
        {
            _resyncHeld = true;
            _backlog.ResyncAdded();
        }
    }

    /// <summary>The live items taken leave the backlog: stored, skipped as duplicates, or (after a failure) left to the resync.</summary>
    private void ReleaseTaken()
    {
        _backlog.LiveDone(_taken);
        _taken = 0;
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
            if (!_inBatch.Add(signature) || applied.Contains(signature))
            {
                status.Duplicate();
                continue;
            }
            // Failed transactions are recorded (never fetched again) but need no block time: they hold no events.
            long blockTime = notification.Failed ? 0 : await blockTimes.GetAsync(notification.Slot);
            batch.Add(Build(signature, notification.Slot, blockTime, notification.Failed, notification.Logs));
        }
        await CommitAsync(batch, ct);
        foreach (var notification in _live)
        {
            status.LiveApplied(notification.ReceivedAt);
        }
    }

    /// <summary>
    /// Waits for live notifications; while none come, wakes every <see cref="FinalizeSchedule.Tick"/> to append the
    /// finalizing clock when one is due (the wall clock finalizes a quiet market's candles).
    /// </summary>
    private async ValueTask<bool> WaitForLiveAsync(CancellationToken ct)
    {
        var ready = pubsub.Notifications.WaitToReadAsync(ct);
        if (ready.IsCompleted)
        {
            return await ready;
        }
        var readyTask = ready.AsTask();
        while (true)
        {
            _tick ??= _finalizeTimer.WaitForNextTickAsync(ct).AsTask();
            if (await Task.WhenAny(readyTask, _tick) == readyTask)
            {
                return await readyTask;
            }
            bool ticking = await _tick;
            _tick = null;
            if (!ticking)
            {
                return await readyTask;
            }
            await FinalizeIfDueAsync(ct);
        }
    }

    /// <summary>Appends "finalize by T" when an open candle's bucket ended by the clock the ingest may finalize by now.</summary>
    private async ValueTask FinalizeIfDueAsync(CancellationToken ct)
    {
        if (finalize.Due() is { } by)
        {
            await stream.AppendAsync(StreamBatch.FinalizeAt(by), ct);
        }
    }

    private IngestedTransaction Build(TxSignature signature, ulong slot, long blockTime, bool failed, IReadOnlyList<string> logs)
    {
        if (_sequencer.IsLate(slot))
        {
            status.Late();
            if (MayWarn(_lateLog, "late transaction"))
            {
                LogLate(logger, signature.ToString(), slot);
            }
        }
        uint txIndex = _sequencer.Next(signature, slot, applied.LastTxIndexInSlot);
        if (failed)
        {
            return new IngestedTransaction(signature, slot, txIndex, blockTime, true, [], []);
        }
        var decoded = decoder.Decode(logs);
        _tally.Add(decoded);
        if (decoded.Truncated && MayWarn(_truncatedLog, "truncated log"))
        {
            LogTruncated(logger, signature.ToString());
        }
        foreach (var rejected in decoded.RejectedPayloads)
        {
            if (MayWarn(_rejectedLog, "rejected event"))
            {
                LogRejected(logger, signature.ToString(), rejected.Index, rejected.Reason);
            }
        }
        return new IngestedTransaction(signature, slot, txIndex, blockTime, false, decoded.Events, decoded.RejectedPayloads);
    }

    /// <summary>Whether one more warning of <paramref name="kind"/> may be logged; first says how many were held back.</summary>
    private bool MayWarn(LogThrottle throttle, string kind)
    {
        if (!throttle.TryEnter(out long heldBack))
        {
            return false;
        }
        if (heldBack > 0)
        {
            LogHeldBack(logger, heldBack, kind);
        }
        return true;
    }

    private async ValueTask<int> CommitAsync(List<IngestedTransaction> batch, CancellationToken ct)
    {
        _sequencer.EndBatch();
        var tally = _tally;
        _tally = default;
        if (batch.Count == 0 || _sequencer.Newest is not { } checkpoint)
        {
            return 0;
        }
        await stream.AppendAsync(StreamBatch.Of(batch, checkpoint), ct);
        status.Decoded(tally.Rejected, tally.Unknown, tally.Trailing, tally.Truncated);
        int events = 0, failed = 0;
        long eventTime = 0;
        foreach (var tx in batch)
        {
            events += tx.Events.Count;
            failed += tx.Failed ? 1 : 0;
            eventTime = tx.Events.Count > 0 ? Math.Max(eventTime, tx.BlockTime) : eventTime;
        }
        status.Applied(checkpoint.Slot, checkpoint.Signature.ToString(), eventTime, batch.Count, events, failed);
        if (status.Backfilling)
        {
            status.BackfillApplied(batch.Count);
        }
        return batch.Count;
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ingest failed ({Kind}: {Reason}); resyncing from the checkpoint in {DelayMs} ms")]
    private static partial void LogIngestFailed(ILogger logger, string kind, string reason, long delayMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Late transaction {Signature} for slot {Slot}, older than the newest applied slot")]
    private static partial void LogLate(ILogger logger, string signature, ulong slot);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Log truncated in transaction {Signature}: events after the cut are lost")]
    private static partial void LogTruncated(ILogger logger, string signature);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rejected event {Index} of {Signature}: {Reason} (payload kept for replay)")]
    private static partial void LogRejected(ILogger logger, string signature, int index, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} more {Kind} warnings since the previous one were counted (/api/events/status, /metrics), not logged: at most 100 a minute")]
    private static partial void LogHeldBack(ILogger logger, long count, string kind);
}
