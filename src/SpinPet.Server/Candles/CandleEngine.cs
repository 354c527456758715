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
internal sealed class CandleEngine
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
        _builder = Seeded();
        _chainClock = store.ReadEventsNewestFirst(limit: 1).Select(e => e.BlockTime).FirstOrDefault();
    }

    public IReadOnlyList<Interval> Intervals => _intervals;

    public PriceScale Scale => _scale;

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
    public int FinalizeDue(long wallClockMs, bool caughtUp, int graceMs)
    {
        if (!caughtUp)
        {
            return 0;
        }
        lock (_gate)
        {
            _changes.Clear();
            long chainClock = ChainClock;
            foreach (var open in _builder.OpenCandles())
            {
                if (CandleFinalizer.IsFinal(open.Candle, open.Interval, chainClock, wallClockMs, caughtUp, graceMs)
                    && _builder.MarkFinal(open.Mint, open.Interval, open.Candle.Time, out var final))
                {
                    _changes.Final(open.Mint, open.Interval, final);
                }
            }
            if (_changes.Count == 0)
            {
                return 0;
            }
            _written = _changes.Rows();
            _store.WriteCandles(_written);
            Interlocked.Add(ref _finalized, _written.Count);
            Publish();
            return _written.Count;
        }
    }

    /// <summary>
    /// Recomputes every candle from the stored event log (after adding an interval, or to verify): drops the
    /// stored candles, replays the events in chain order through a fresh builder and writes the result in
    /// batches. Returns the number of price events replayed. Run with the ingest stopped.
    /// </summary>
    public long Rebuild()
    {
        lock (_gate)
        {
            _store.DeleteAllCandles();
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
                _changes.Apply(builder, new ChainEvent(stored.Signature, stored.Position, stored.BlockTime, decoded));
                clock = Math.Max(clock, stored.BlockTime);
                replayed++;
                // 100,000 rows (~8 MB) per batch keeps memory flat on any history.
                if (_changes.Count >= 100_000)
                {
                    _store.WriteCandles(_changes.Rows());
                    _changes.Clear();
                }
            }
            _store.WriteCandles(_changes.Rows());
            _changes.Clear();
            _builder = builder;
            Volatile.Write(ref _chainClock, clock);
            return replayed;
        }
    }

    /// <summary>Runs inside the store's write: exactly the transactions being stored, none twice.</summary>
    private List<CandleWrite> CandlesFor(IReadOnlyList<IngestedTransaction> stored)
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
        return rows;
    }

    private void Publish()
    {
        if (_written.Count > 0)
        {
            Changed?.Invoke(_written);
        }
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

}
