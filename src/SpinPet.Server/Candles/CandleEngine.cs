using SpinPet.Core.Candles;
using SpinPet.Core.Chain;
using SpinPet.Core.Events;
using SpinPet.Core.Ingest;
using SpinPet.Solana.Decoding;
using SpinPet.Storage;

namespace SpinPet.Server.Candles;

/// <summary>
/// Turns applied transactions into candles and stores both in one atomic RocksDB batch, so the stored candles
/// always agree with the stored event log. Holds each topic's newest candle in memory (the builder), seeded from
/// storage at start so a restart continues exactly where the last run stopped.
/// </summary>
/// <remarks>
/// Two writers touch candle state: the ingest loop (<see cref="Apply"/>) and the finalizer
/// (<see cref="FinalizeDue"/>). A lock serializes them; it is never taken by a client request, and the writes it
/// covers are RocksDB batches without fsync (microseconds).
/// </remarks>
internal sealed partial class CandleEngine
{
    private readonly SpinPetStore _store;
    private readonly IReadOnlyList<Interval> _intervals;
    private readonly PriceScale _scale;
    private readonly VolumeUnit _volumeUnit;
    private readonly Lock _gate = new();
    private readonly CandleChanges _changes = new();
    private IReadOnlyList<CandleWrite> _written = [];
    private CandleBuilder _builder;
    private long _chainClock;
    private long _lateEvents;
    private long _finalized;

    public CandleEngine(SpinPetStore store, IReadOnlyList<Interval> intervals, PriceScale scale, VolumeUnit volumeUnit)
    {
        _store = store;
        _intervals = intervals;
        _scale = scale;
        _volumeUnit = volumeUnit;
        Settings = CandleSettings.Fingerprint(intervals, scale, volumeUnit);
        _builder = Seeded();
        _chainClock = store.ReadEventsNewestFirst(limit: 1).Select(e => e.BlockTime).FirstOrDefault();
    }

    public IReadOnlyList<Interval> Intervals => _intervals;

    public PriceScale Scale => _scale;

    /// <summary>The fingerprint of the settings candles are built with (stored with them; see <see cref="CandleSettings"/>).</summary>
    public string Settings { get; }

    /// <summary>The price events replayed when <see cref="EnsureCurrent"/> had to rebuild at start, else null.</summary>
    public long? RebuiltAtStart { get; private set; }

    /// <summary>The chain's clock: the newest block time applied (unix seconds).</summary>
    public long ChainClock => Volatile.Read(ref _chainClock);

    /// <summary>Events skipped for a candle because their bucket was older than, or final in, its topic.</summary>
    public long LateEvents => Volatile.Read(ref _lateEvents) + _builder.LateEvents;

    public long FinalizedCandles => Volatile.Read(ref _finalized);

    /// <summary>Called after every successful write with the candles it changed (the push feature listens here).</summary>
    public event Action<IReadOnlyList<CandleWrite>>? Changed;

    /// <summary>Stores the transactions, their candles and the checkpoint in one batch.</summary>
    public void Apply(IReadOnlyList<IngestedTransaction> transactions, Checkpoint checkpoint)
    {
        lock (_gate)
        {
            _written = [];
            try
            {
                _store.Apply(transactions, checkpoint, CandlesFor);
            }
            catch
            {
                // The builder ran ahead of a write that did not happen: reload it from what is stored.
                Volatile.Write(ref _lateEvents, LateEvents);
                _builder = Seeded();
                throw;
            }
            Publish();
        }
    }

    /// <summary>
    /// Marks final every newest candle whose bucket can no longer change (candles.md): the ingest is caught up
    /// and the chain clock has passed the bucket's end, or the wall clock has by the grace. Returns how many.
    /// </summary>
    public int FinalizeDue(long wallClockMs, bool caughtUp, int graceMs) =>
        FinalizeDue(() => caughtUp ? new FinalizeClocks(ChainClock: true, WallClockMs: wallClockMs) : default, graceMs);

    /// <summary>
    /// As above, with the clocks the ingest allows right now. <paramref name="clocks"/> is asked under the engine's
    /// lock, that is between two applied batches: asked before it, a batch applied meanwhile could have come with
    /// notifications still queued behind it, and the answer would be stale.
    /// </summary>
    public int FinalizeDue(Func<FinalizeClocks> clocks, int graceMs)
    {
        lock (_gate)
        {
            var allowed = clocks();
            if (!allowed.ChainClock && allowed.WallClockMs is null)
            {
                return 0;
            }
            _changes.Clear();
            long? chainClock = allowed.ChainClock ? ChainClock : null;
            foreach (var open in _builder.OpenCandles())
            {
                if (CandleFinalizer.IsFinal(open.Candle, open.Interval, chainClock, allowed.WallClockMs, graceMs))
                {
                    _changes.Final(open.Mint, open.Interval, CandleFinalizer.MarkFinal(open.Candle));
                }
            }
            if (_changes.Count == 0)
            {
                return 0;
            }
            _written = [];
            var rows = _changes.Rows();
            _store.WriteCandles(rows);
            // Only now, with the rows stored: a failed write must leave the builder as storage is, or the next event
            // for such a bucket would be skipped live while storage still holds the candle open.
            foreach (var row in rows)
            {
                _builder.MarkFinal(row.Mint, row.Interval, row.Candle.Time, out _);
            }
            _written = rows;
            Interlocked.Add(ref _finalized, _written.Count);
            Publish();
            return _written.Count;
        }
    }

    /// <summary>
    /// Recomputes every candle from the stored event log (after a settings change, or to verify): drops the stored
    /// candles, replays the events in chain order through a fresh builder — skipping them where the live builder
    /// skipped them because their candle was final (the stored late-event markers) — and writes the result in
    /// batches. The first batch sets the store's rebuild-pending marker and the last clears it and stores
    /// <see cref="Settings"/>, so a crash in between is noticed at the next start (<see cref="EnsureCurrent"/>).
    /// Returns the number of price events replayed. Run with the ingest stopped.
    /// </summary>
    public long Rebuild()
    {
        lock (_gate)
        {
            var skips = LateMarkers();
            _store.BeginCandleRebuild();
            var builder = new CandleBuilder(_intervals, _scale, _volumeUnit);
            _changes.Clear();
            long replayed = 0, clock = 0;
            foreach (var stored in _store.ReadEvents())
            {
                if (stored.Kind is not (EventKind.BuySell or EventKind.LongShort or EventKind.FullClose or EventKind.PartialClose)
                    || EventDecoder.TryDecode(stored.Payload.Span, out var decoded) is not (DecodeStatus.Ok or DecodeStatus.OkWithTrailingBytes)
                    || decoded is null)
                {
                    continue;
                }
                ulong skip = skips.Count > 0 && skips.TryGetValue(stored.Position, out var mask) ? mask : 0;
                _changes.Apply(builder, new ChainEvent(stored.Signature, stored.Position, stored.BlockTime, decoded), skip);
                clock = Math.Max(clock, stored.BlockTime);
                replayed++;
                // 100,000 rows (~8 MB) per batch keeps memory flat on any history.
                if (_changes.Count >= 100_000)
                {
                    _store.WriteCandles(_changes.Rows());
                    _changes.Clear();
                }
            }
            _store.CompleteCandleRebuild(_changes.Rows(), Settings);
            _changes.Clear();
            _builder = builder;
            Volatile.Write(ref _chainClock, clock);
            return replayed;
        }
    }

    /// <summary>
    /// Why the stored candles cannot be built on, or null when they can: a rebuild was cut short, or they were built
    /// with other settings (intervals, volume unit, price scale), or by a version that stored no settings.
    /// </summary>
    public string? RebuildReason()
    {
        if (_store.CandleRebuildPending)
        {
            return "a candle rebuild was interrupted, the stored candles are incomplete";
        }
        return _store.ReadCandleSettings() switch
        {
            null when _store.ReadEvents(limit: 1).Any() =>
                $"the stored candles carry no settings (written by an older version); configured: {Settings}",
            { } stored when stored != Settings => $"the stored candles were built with {stored}; configured: {Settings}",
            _ => null,
        };
    }

    /// <summary>
    /// At start, before the ingest: rebuilds the candles when <see cref="RebuildReason"/> says they cannot be built on
    /// (logged with the reason), and records the settings of a store that has none yet.
    /// </summary>
    public void EnsureCurrent(ILogger logger)
    {
        if (RebuildReason() is { } reason)
        {
            LogRebuildingAtStart(logger, reason);
            long started = Environment.TickCount64;
            RebuiltAtStart = Rebuild();
            LogRebuiltAtStart(logger, RebuiltAtStart.Value, Environment.TickCount64 - started);
        }
        else if (_store.ReadCandleSettings() is null)
        {
            _store.WriteCandleSettings(Settings);
        }
    }

    /// <summary>The topic's newest candle as the builder holds it (what the next event builds on).</summary>
    public bool TryGetNewest(PublicKey mint, Interval interval, out Candle newest)
    {
        lock (_gate)
        {
            return _builder.TryGetNewest(mint, interval, out newest);
        }
    }

    /// <summary>Runs inside the store's write: exactly the transactions being stored, none twice.</summary>
    private CandleRows CandlesFor(IReadOnlyList<IngestedTransaction> stored)
    {
        _changes.Clear();
        long clock = _chainClock;
        foreach (var transaction in stored)
        {
            if (transaction.Failed)
            {
                continue;
            }
            clock = Math.Max(clock, transaction.BlockTime);
            foreach (var decoded in transaction.Events)
            {
                if (decoded.Event.LatestPrice is not null)
                {
                    _changes.Apply(_builder, new ChainEvent(transaction.Signature, transaction.PositionOf(decoded.Index), transaction.BlockTime, decoded.Event));
                }
            }
        }
        Volatile.Write(ref _chainClock, clock);
        var rows = _changes.Rows();
        _written = rows;
        return new CandleRows(rows, _changes.Late);
    }

    private void Publish()
    {
        if (_written.Count > 0)
        {
            Changed?.Invoke(_written);
        }
    }

    /// <summary>The stored late-event markers as a skip mask per event position (bits in <see cref="Intervals"/> order).</summary>
    private Dictionary<ChainPosition, ulong> LateMarkers()
    {
        var skips = new Dictionary<ChainPosition, ulong>();
        foreach (var late in _store.ReadLateCandleEvents())
        {
            int index = -1;
            for (int i = 0; i < _intervals.Count; i++)
            {
                if (_intervals[i].Seconds == late.IntervalSeconds)
                {
                    index = i;
                }
            }
            // A marker of an interval no longer built has nothing to skip.
            if (index >= 0)
            {
                skips[late.Position] = skips.GetValueOrDefault(late.Position) | (1UL << index);
            }
        }
        return skips;
    }

    private CandleBuilder Seeded()
    {
        var builder = new CandleBuilder(_intervals, _scale, _volumeUnit);
        var known = _intervals.ToHashSet();
        foreach (var topic in _store.ReadNewestCandles())
        {
            if (known.Contains(topic.Interval))
            {
                builder.Seed(topic.Mint, topic.Interval, topic.Candle);
            }
        }
        return builder;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rebuilding the candles from the event log before the ingest starts: {Reason}")]
    private static partial void LogRebuildingAtStart(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Rebuilt the candles from {Events} price events in {ElapsedMs} ms")]
    private static partial void LogRebuiltAtStart(ILogger logger, long events, long elapsedMs);
}
