using SpinPet.Core.Candles;
using SpinPet.Core.Chain;
using SpinPet.Core.Events;
using SpinPet.Core.Ingest;
using SpinPet.Indexer.Events;
using SpinPet.Storage;

namespace SpinPet.Indexer.Candles;

/// <summary>
/// Turns each applied batch into candle rows staged in the batch's write, so the stored candles always agree with the
/// stored event log. Holds each topic's newest candle in memory (the builder), seeded from storage at start so a
/// restart continues exactly where the last run stopped. Used by the indexer's one applying thread only: the values
/// other threads read (<see cref="ChainClock"/>, <see cref="EarliestOpenEnd"/>, the counts) are published after a write.
/// </summary>
internal sealed class CandleEngine
{
    /// <summary>100,000 rows (~8 MB) per rebuild write keeps memory flat on any history.</summary>
    private const int RebuildRowsPerWrite = 100_000;

    private readonly SpinPetStore _store;
    private readonly CandleSettings _settings;
    private readonly CandleChanges _changes = new();
    private readonly List<CandleWrite> _finals = [];
    private CandleBuilder _builder;
    private long _chainClock;
    private long _pendingClock;
    private long _earliestOpenEnd;
    private long _lateEventsOfReplacedBuilders;
    private long _finalized;

    public CandleEngine(SpinPetStore store, CandleSettings settings)
    {
        _store = store;
        _settings = settings;
        _builder = Seeded();
        _chainClock = store.Events.ReadEventsNewestFirst(limit: 1).Select(e => e.BlockTime).FirstOrDefault();
        PublishEarliestOpenEnd();
    }

    /// <summary>The chain's clock: the newest block time applied (unix seconds).</summary>
    public long ChainClock => Volatile.Read(ref _chainClock);

    /// <summary>The earliest bucket end of a candle not final yet (unix seconds), or null when all are final.</summary>
    public long? EarliestOpenEnd => Volatile.Read(ref _earliestOpenEnd) is var end && end == long.MaxValue ? null : end;

    /// <summary>Events skipped for a candle because their bucket was older than, or final in, its topic.</summary>
    public long LateEvents => Volatile.Read(ref _lateEventsOfReplacedBuilders) + _builder.LateEvents;

    public long FinalizedCandles => Volatile.Read(ref _finalized);

    /// <summary>
    /// Stages the candles of <paramref name="stored"/> (the batch's new, successful transactions; none twice), then
    /// marks final every open candle whose bucket ended by <paramref name="finalizeBy"/>, with the late-event markers of
    /// events skipped because their candle was final. The builder runs ahead of the write: <see cref="Committed"/> or
    /// <see cref="Discard"/> must follow. Returns the rows (each candle once), valid until the next call.
    /// </summary>
    public IReadOnlyList<CandleWrite> Stage(StoreWrite write, IReadOnlyList<IngestedTransaction> stored, long? finalizeBy)
    {
        _changes.Clear();
        _finals.Clear();
        long clock = _chainClock;
        for (int t = 0; t < stored.Count; t++)
        {
            var transaction = stored[t];
            if (transaction.Failed)
            {
                continue;
            }
            clock = Math.Max(clock, transaction.BlockTime);
            var events = transaction.Events;
            for (int i = 0; i < events.Count; i++)
            {
                var decoded = events[i];
                if (decoded.Event.LatestPrice is not null)
                {
                    _changes.Apply(_builder, new ChainEvent(transaction.Signature, transaction.PositionOf(decoded.Index), transaction.BlockTime, decoded.Event));
                }
            }
        }
        _pendingClock = clock;
        if (finalizeBy is { } by && _builder.EarliestOpenEnd <= by)
        {
            foreach (var open in _builder.OpenCandles())
            {
                if (CandleFinalizer.IsEndedBy(open.Candle, open.Interval, by))
                {
                    var final = CandleFinalizer.MarkFinal(open.Candle);
                    _changes.Final(open.Mint, open.Interval, final);
                    _finals.Add(new CandleWrite(open.Mint, open.Interval, final, IsNew: false));
                }
            }
        }
        var rows = _changes.Rows();
        _store.Candles.Stage(write, rows);
        _store.Candles.StageLateEvents(write, _changes.Late);
        return rows;
    }

    /// <summary>
    /// The write succeeded: the builder marks the finalized candles final (only now, so a failed write never leaves
    /// memory ahead of storage) and the clocks move.
    /// </summary>
    public void Committed()
    {
        foreach (var row in _finals)
        {
            _builder.MarkFinal(row.Mint, row.Interval, row.Candle.Time, out _);
        }
        Interlocked.Add(ref _finalized, _finals.Count);
        _finals.Clear();
        Volatile.Write(ref _chainClock, _pendingClock);
        PublishEarliestOpenEnd();
    }

    /// <summary>The write did not happen: the builder ran ahead of it, so it is reloaded from what is stored.</summary>
    public void Discard()
    {
        Interlocked.Add(ref _lateEventsOfReplacedBuilders, _builder.LateEvents);
        _builder = Seeded();
        _finals.Clear();
        PublishEarliestOpenEnd();
    }

    /// <summary>
    /// Recomputes every candle from the stored event log (docs/storage.md, "Candle rebuild"): drops the stored candles,
    /// replays the events in chain order through a fresh builder — skipping them where the live builder skipped them
    /// because their candle was final (the stored late-event markers) — and writes the result in writes of 100,000
    /// rows. The rebuilt rows have no batch of their own, so the rebuild begins a new epoch at the current seq: the
    /// first write sets the rebuild marker and the new position, the last clears the marker and stores the settings,
    /// so a crash in between is noticed at the next start. Returns the number of price events replayed.
    /// </summary>
    public long Rebuild()
    {
        var skips = LateMarkers();
        var position = new Core.Stream.StreamPosition(Core.Stream.StreamPosition.NewEpoch(), _store.Meta.Position.Seq);
        using (var begin = _store.BeginWrite(position))
        {
            _store.Candles.StageDeleteAll(begin);
            _store.Meta.StageCandleRebuildPending(begin);
            begin.Commit();
        }
        var builder = new CandleBuilder(_settings.Intervals, _settings.Scale, _settings.VolumeUnit);
        _changes.Clear();
        long replayed = 0, clock = 0;
        foreach (var stored in _store.Events.ReadEvents())
        {
            if (stored.Kind is not (EventKind.BuySell or EventKind.LongShort or EventKind.FullClose or EventKind.PartialClose)
                || StoredEvents.Read(stored) is not { } decoded)
            {
                continue;
            }
            ulong skip = skips.Count > 0 && skips.TryGetValue(stored.Position, out var mask) ? mask : 0;
            _changes.Apply(builder, new ChainEvent(stored.Signature, stored.Position, stored.BlockTime, decoded), skip);
            clock = Math.Max(clock, stored.BlockTime);
            replayed++;
            if (_changes.Count >= RebuildRowsPerWrite)
            {
                using var rows = _store.BeginWrite(position);
                _store.Candles.Stage(rows, _changes.Rows());
                rows.Commit();
                _changes.Clear();
            }
        }
        using (var end = _store.BeginWrite(position))
        {
            _store.Candles.Stage(end, _changes.Rows());
            _store.Meta.StageCandleSettings(end, _settings.Fingerprint);
            end.Commit();
        }
        _changes.Clear();
        _builder = builder;
        Volatile.Write(ref _chainClock, clock);
        PublishEarliestOpenEnd();
        return replayed;
    }

    /// <summary>The topic's newest candle as the builder holds it (what the next event builds on). Applying thread only.</summary>
    public bool TryGetNewest(PublicKey mint, Interval interval, out Candle newest) => _builder.TryGetNewest(mint, interval, out newest);

    private void PublishEarliestOpenEnd() => Volatile.Write(ref _earliestOpenEnd, _builder.EarliestOpenEnd ?? long.MaxValue);

    /// <summary>The stored late-event markers as a skip mask per event position (bits in the order of the intervals).</summary>
    private Dictionary<ChainPosition, ulong> LateMarkers()
    {
        var skips = new Dictionary<ChainPosition, ulong>();
        var intervals = _settings.Intervals;
        foreach (var late in _store.Candles.ReadLateCandleEvents())
        {
            int index = -1;
            for (int i = 0; i < intervals.Count; i++)
            {
                if (intervals[i].Seconds == late.IntervalSeconds)
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
        var builder = new CandleBuilder(_settings.Intervals, _settings.Scale, _settings.VolumeUnit);
        var known = _settings.Intervals.ToHashSet();
        foreach (var topic in _store.Candles.ReadNewestCandles())
        {
            if (known.Contains(topic.Interval))
            {
                builder.Seed(topic.Mint, topic.Interval, topic.Candle);
            }
        }
        return builder;
    }
}
