using Microsoft.Extensions.Logging;
using SpinPet.Core.Candles;
using SpinPet.Core.Chain;
using SpinPet.Core.Events;
using SpinPet.Core.Ingest;
using SpinPet.Core.Stream;
using SpinPet.Indexer.Candles;
using SpinPet.Indexer.Indexes;
using SpinPet.Solana.Ingest;
using SpinPet.Storage;

namespace SpinPet.Indexer;

/// <summary>
/// Applies the batch stream to storage (docs/architecture.md): each batch's new transactions, their candles, the
/// finalization it carries and the REST index rows go into one write with the batch's position, and then the listeners
/// hear what changed. Batches come from one appender, in order (<see cref="Stream.InProcessBatchStream"/> in one
/// process); no lock is held and nothing is announced before the write succeeded.
/// </summary>
public sealed partial class SpinPetIndexer : IAppliedState
{
    private readonly SpinPetStore _store;
    private readonly CandleEngine _candles;
    private readonly IndexRowsWriter _indexRows;
    private readonly IAppliedBatchListener[] _listeners;

    public SpinPetIndexer(SpinPetStore store, CandleSettings settings, IEnumerable<IAppliedBatchListener> listeners)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(listeners);
        _store = store;
        Settings = settings;
        _candles = new CandleEngine(store, settings);
        _indexRows = new IndexRowsWriter(store.Indexes);
        _listeners = [.. listeners];
    }

    public CandleSettings Settings { get; }

    public IReadOnlyList<Interval> Intervals => Settings.Intervals;

    public PriceScale Scale => Settings.Scale;

    /// <summary>The position of the newest applied batch (or of the rebuild that began the epoch).</summary>
    public StreamPosition Position => _store.Meta.Position;

    public long ChainClock => _candles.ChainClock;

    public long? EarliestOpenCandleEnd => _candles.EarliestOpenEnd;

    /// <summary>Events skipped for a candle because their bucket was older than, or final in, its topic.</summary>
    public long LateEvents => _candles.LateEvents;

    /// <summary>Newest candles marked final by a finalizing clock.</summary>
    public long FinalizedCandles => _candles.FinalizedCandles;

    /// <summary>The price events replayed when <see cref="EnsureCurrent"/> had to rebuild the candles at start, else null.</summary>
    public long? RebuiltAtStart { get; private set; }

    /// <summary>
    /// Applies <paramref name="batch"/> at <paramref name="position"/>: its new transactions (events, rejected payloads,
    /// counters, checkpoint), their candles and late-event markers, then the candles its clock finalizes, and the REST
    /// index rows, in one write with the position. A position at or before the stored one was applied already: nothing
    /// happens and null is returned. Another epoch is refused. After the write the listeners hear what changed.
    /// </summary>
    public AppliedBatch? Apply(StreamBatch batch, StreamPosition position)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var current = Position;
        if (position.Epoch != current.Epoch)
        {
            throw new InvalidOperationException($"Batch at {position} belongs to another history than the store's ({current}).");
        }
        if (position.Seq <= current.Seq)
        {
            return null;
        }
        StagedTransactions staged;
        IReadOnlyList<CandleWrite> candles;
        try
        {
            using var write = _store.BeginWrite(position);
            staged = _store.Events.Stage(write, batch.Transactions);
            if (batch.Checkpoint is { } checkpoint)
            {
                _store.Meta.StageCheckpoint(write, checkpoint);
            }
            candles = _candles.Stage(write, staged.Stored, batch.FinalizeBy);
            _indexRows.Stage(write, staged.Stored);
            write.Commit();
        }
        catch
        {
            _candles.Discard();
            throw;
        }
        _candles.Committed();
        var applied = new AppliedBatch(position, batch, staged.Stored, candles, staged.Result);
        foreach (var listener in _listeners)
        {
            listener.OnApplied(applied);
        }
        return applied;
    }

    /// <summary>
    /// Begins <paramref name="epoch"/> at seq 0 over what is stored (a cluster stream this store had not followed, or one
    /// that was recreated: its seqs restart at 1). Nothing stored changes but the position; the stream's batches are then
    /// applied from seq 1, their transactions already stored skipped. One write; a no-op in the current epoch.
    /// </summary>
    public void BeginEpoch(string epoch)
    {
        ArgumentException.ThrowIfNullOrEmpty(epoch);
        if (Position.Epoch == epoch)
        {
            return;
        }
        using var write = _store.BeginWrite(new StreamPosition(epoch, 0));
        // The new epoch numbers from 1 again, over rows stamped up to the old seq: a resume below that cannot tell
        // them apart from the new epoch's changes, so it is answered with an ordinary snapshot (recovered:false).
        _store.Meta.StageResumeFloor(write, Math.Max(_store.Meta.ResumeFloor, Position.Seq));
        write.Commit();
    }

    /// <summary>
    /// Recomputes every candle from the stored event log, in a new epoch (docs/storage.md, "Candle rebuild"). Run with
    /// nothing appending. Returns the number of price events replayed.
    /// </summary>
    public long RebuildCandles() => _candles.Rebuild();

    /// <summary>
    /// Why the stored candles cannot be built on, or null when they can: a rebuild was cut short, or they were built
    /// with other settings (intervals, volume unit, price scale), or by a version that stored no settings.
    /// </summary>
    public string? RebuildReason()
    {
        if (_store.Meta.CandleRebuildPending)
        {
            return "a candle rebuild was interrupted, the stored candles are incomplete";
        }
        return _store.Meta.ReadCandleSettings() switch
        {
            null when _store.Events.ReadEvents(limit: 1).Any() =>
                $"the stored candles carry no settings (written by an older version); configured: {Settings.Fingerprint}",
            { } stored when stored != Settings.Fingerprint => $"the stored candles were built with {stored}; configured: {Settings.Fingerprint}",
            _ => null,
        };
    }

    /// <summary>
    /// At start, before anything is appended: rebuilds the candles when <see cref="RebuildReason"/> says they cannot be
    /// built on (logged with the reason), and records the settings of a store that has none yet.
    /// </summary>
    public void EnsureCurrent(ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(logger);
        if (RebuildReason() is { } reason)
        {
            LogRebuildingAtStart(logger, reason);
            long started = Environment.TickCount64;
            RebuiltAtStart = RebuildCandles();
            LogRebuiltAtStart(logger, RebuiltAtStart.Value, Environment.TickCount64 - started);
        }
        else if (_store.Meta.ReadCandleSettings() is null)
        {
            _store.Meta.WriteCandleSettings(Settings.Fingerprint);
        }
    }

    /// <summary>The topic's newest candle as the builder holds it (what the next event builds on). From the applying thread only.</summary>
    public bool TryGetNewest(PublicKey mint, Interval interval, out Candle newest) => _candles.TryGetNewest(mint, interval, out newest);

    public Checkpoint? ReadCheckpoint() => _store.Meta.ReadCheckpoint();

    public bool Contains(TxSignature signature) => _store.Events.ContainsTransaction(signature);

    public uint? LastTxIndexInSlot(ulong slot) => _store.Events.LastTxIndexInSlot(slot);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rebuilding the candles from the event log before the ingest starts: {Reason}")]
    private static partial void LogRebuildingAtStart(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Rebuilt the candles from {Events} price events in {ElapsedMs} ms")]
    private static partial void LogRebuiltAtStart(ILogger logger, long events, long elapsedMs);
}
