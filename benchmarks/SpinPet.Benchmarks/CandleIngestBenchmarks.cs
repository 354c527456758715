using BenchmarkDotNet.Attributes;
using SpinPet.Core.Candles;
using SpinPet.Core.Chain;
using SpinPet.Core.Events;
using SpinPet.Core.Ingest;
using SpinPet.Server.Candles;
using SpinPet.Solana.Decoding;
using SpinPet.Storage;

namespace SpinPet.Benchmarks;

/// <summary>
/// Log lines → TransactionDecoder → IngestedTransaction → the server's <see cref="CandleEngine"/> (s1, s30, m5; price
/// exponent 28; volume none) → one RocksDB batch of events, candles and checkpoint per 512 transactions, as the
/// server's ingest sink does, for 1, 100 and 10,000 mints. The baseline is the same decode and
/// <see cref="SpinPetStore.Apply(IReadOnlyList{IngestedTransaction}, Checkpoint)"/> without candles, so the Ratio
/// column is the cost of candles. One operation is one event: 10^9 / Mean is events/s.
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
    private readonly List<IngestedTransaction> _batch = new(IngestWorkload.BatchSize);
    private CandleIngestWorkload _workload = null!;
    private string _folder = "";
    private SpinPetStore _store = null!;
    private CandleEngine _engine = null!;
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
        _engine = new CandleEngine(_store, intervals, scale, VolumeUnit.None);
        // What the push feature would receive; counted to prove candles were written, not skipped.
        _engine.Changed += rows => _passCandleRows += rows.Count;
        _builder = new CandleBuilder(intervals, scale, VolumeUnit.None);
        _changes = new CandleChanges();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        // Candles of the first mint, to show in the log that s1 candles opened and closed over the passes.
        long s1 = _store.CountCandles(_workload.Mints[0], Interval.S1);
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

    /// <summary>What the server's ingest sink does: <see cref="CandleEngine.Apply"/> per batch.</summary>
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
        ulong before = _store.Counters.Events;
        if (withCandles)
        {
            _engine.Apply(_batch, checkpoint);
        }
        else
        {
            _store.Apply(_batch, checkpoint);
        }
        _eventsWritten += (int)(_store.Counters.Events - before);
        _batch.Clear();
    }

    /// <summary>The engine's candle callback (CandleEngine.CandlesFor) on one batch, without the write.</summary>
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
}
