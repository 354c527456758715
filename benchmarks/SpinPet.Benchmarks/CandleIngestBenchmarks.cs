using BenchmarkDotNet.Attributes;
using SpinPet.Core.Candles;
using SpinPet.Core.Chain;
using SpinPet.Core.Events;
using SpinPet.Core.Ingest;
using SpinPet.Core.Stream;
using SpinPet.Indexer;
using SpinPet.Indexer.Candles;
using SpinPet.Indexer.Stream;
using SpinPet.Solana.Decoding;
using SpinPet.Storage;

namespace SpinPet.Benchmarks;

/// <summary>
/// Log lines → TransactionDecoder → IngestedTransaction → the server's batch stream (<see cref="InProcessBatchStream"/>:
/// append = the indexer applies; s1, s30, m5; price exponent 28; volume none) → one RocksDB write of events, candles,
/// REST index rows, checkpoint and position per 512 transactions, as the server's ingest does, for 1, 100 and 10,000
/// mints. The baseline is the same decode and one write of the events, checkpoint and index rows without candles
/// (<see cref="StoreWrites.ApplyWithoutCandles"/>), so the Ratio column is the cost of candles. One operation is one
/// event: 10^9 / Mean is events/s.
/// </summary>
/// <remarks>
/// Each (benchmark, mints) case runs in its own process with its own store, which grows with every pass as in
/// <see cref="IngestBenchmarks"/>. The block times keep advancing across passes, so no event is ever late.
/// </remarks>
[MemoryDiagnoser]
[MedianColumn, MinColumn, MaxColumn]
[SimpleJob(warmupCount: 3, iterationCount: 20, invocationCount: 1)]
public class CandleIngestBenchmarks
{
    private const int BuildOnlyPasses = 3;

    private readonly TransactionDecoder _decoder = new(PublicKey.Parse(AnchorLogs.ProgramId));
    private List<IngestedTransaction> _batch = new(IngestWorkload.BatchSize);
    private CandleIngestWorkload _workload = null!;
    private string _folder = "";
    private SpinPetStore _store = null!;
    private StoreWrites _writes = null!;
    private SpinPetIndexer _engine = null!;
    private InProcessBatchStream _stream = null!;
    private CandleBuilder _builder = null!;
    private CandleChanges _changes = null!;
    private int _eventsWritten;
    private long _candleRows;
    private long _passCandleRows;
    private int _passes;

    [Params(1, 100, 10_000)]
    public int Mints { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _workload = new CandleIngestWorkload(Mints);
        _folder = Path.Combine(Path.GetTempPath(), "spinpet-bench-" + Guid.NewGuid().ToString("N"));
        _store = SpinPetStore.Open(_folder);
        var intervals = Interval.Effective([]);
        var scale = new PriceScale(PriceScale.DefaultExponent);
        _writes = new StoreWrites(_store);
        // What the push feature would receive; counted to prove candles were written, not skipped.
        _engine = new SpinPetIndexer(_store, new CandleSettings(intervals, scale, VolumeUnit.None), [new RowCounter(this)]);
        _stream = new InProcessBatchStream(_engine);
        _builder = new CandleBuilder(intervals, scale, VolumeUnit.None);
        _changes = new CandleChanges();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        // Candles of the first mint, to show in the log that s1 candles opened and closed over the passes.
        long s1 = _store.Candles.CountCandles(_workload.Mints[0], Interval.S1);
        if (_candleRows > 0)
        {
            Console.WriteLine(
                $"// candles: {Mints} mints, {_passes} passes, {_candleRows / (double)_passes:N0} candle rows per pass " +
                $"({_candleRows / (double)_passes / CandleIngestWorkload.Events:N2} per event), {_engine.LateEvents} late, " +
                $"{s1:N0} s1 candles of the first mint");
        }
        _store.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    /// <summary>Every event of the pass must reach the store, and with candles, candle rows too.</summary>
    [IterationCleanup(Targets = [nameof(DecodeAndStore), nameof(DecodeStoreAndCandles)])]
    public void CheckEverythingWasStored()
    {
        int written = _eventsWritten;
        long rows = _passCandleRows;
        _eventsWritten = 0;
        _passCandleRows = 0;
        if (written != CandleIngestWorkload.Events)
        {
            throw new InvalidOperationException($"A pass stored {written} events, not {CandleIngestWorkload.Events}.");
        }
        if (rows > 0)
        {
            _candleRows += rows;
            _passes++;
        }
    }

    /// <summary>Decode and store without candles: <see cref="IngestBenchmarks.DecodeAndStore"/> on this workload.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = CandleIngestWorkload.Events)]
    public int DecodeAndStore() => Run(withCandles: false);

    /// <summary>What the server's ingest does: <see cref="InProcessBatchStream.AppendAsync"/> per batch.</summary>
    [Benchmark(OperationsPerInvoke = CandleIngestWorkload.Events)]
    public int DecodeStoreAndCandles()
    {
        int events = Run(withCandles: true);
        if (_passCandleRows == 0)
        {
            throw new InvalidOperationException("The candle engine wrote no candle rows.");
        }
        return events;
    }

    /// <summary>
    /// Decode and the candle builder with the engine's bookkeeping (<see cref="CandleChanges"/>, the rows one batch
    /// would write), no storage: the CPU part of candles, to split their cost from RocksDB's. Three passes per
    /// invocation, as a pass without storage is short.
    /// </summary>
    [Benchmark(OperationsPerInvoke = BuildOnlyPasses * CandleIngestWorkload.Events)]
    public long DecodeAndBuildCandles()
    {
        var lines = _workload.Lines;
        long rows = 0;
        for (int pass = 0; pass < BuildOnlyPasses; pass++)
        {
            for (int i = 0; i < lines.Length; i++)
            {
                _batch.Add(_workload.Next(_decoder.Decode(lines[i])));
                if (_batch.Count == IngestWorkload.BatchSize)
                {
                    rows += BuildBatch();
                }
            }
            rows += BuildBatch();
        }
        return rows;
    }

    private int Run(bool withCandles)
    {
        var lines = _workload.Lines;
        for (int i = 0; i < lines.Length; i++)
        {
            _batch.Add(_workload.Next(_decoder.Decode(lines[i])));
            if (_batch.Count == IngestWorkload.BatchSize)
            {
                ApplyBatch(withCandles);
            }
        }
        ApplyBatch(withCandles);
        return _eventsWritten;
    }

    private void ApplyBatch(bool withCandles)
    {
        if (_batch.Count == 0)
        {
            return;
        }
        var last = _batch[^1];
        var checkpoint = new Checkpoint(last.Signature, last.Slot, last.TxIndex);
        // The engine does not return the store's result: both paths count what the store's counters say it wrote.
        ulong before = _store.Meta.Counters.Events;
        if (withCandles)
        {
            // Completes synchronously: append = apply.
            _stream.AppendAsync(StreamBatch.Of(_batch, checkpoint)).GetAwaiter().GetResult();
        }
        else
        {
            _writes.ApplyWithoutCandles(_batch, checkpoint);
        }
        _eventsWritten += (int)(_store.Meta.Counters.Events - before);
        // A new list: the appended batch keeps its own, as the ingest's do.
        _batch = new List<IngestedTransaction>(IngestWorkload.BatchSize);
    }

    /// <summary>What the candle engine stages for one batch (CandleEngine.Stage), without the write.</summary>
    private int BuildBatch()
    {
        _changes.Clear();
        foreach (var transaction in _batch)
        {
            foreach (var decoded in transaction.Events)
            {
                if (decoded.Event.LatestPrice is not null)
                {
                    _changes.Apply(_builder, new ChainEvent(transaction.Signature, transaction.PositionOf(decoded.Index), transaction.BlockTime, decoded.Event));
                }
            }
        }
        int rows = _changes.Rows().Count;
        _batch.Clear();
        return rows;
    }

    /// <summary>Counts the candle rows announced, as the fan-out would receive them.</summary>
    private sealed class RowCounter(CandleIngestBenchmarks owner) : IAppliedBatchListener
    {
        public void OnApplied(AppliedBatch batch) => owner._passCandleRows += batch.Candles.Count;
    }
}
