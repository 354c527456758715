using BenchmarkDotNet.Attributes;
using SpinPet.Core.Chain;
using SpinPet.Core.Ingest;
using SpinPet.Solana.Decoding;
using SpinPet.Storage;

namespace SpinPet.Benchmarks;

/// <summary>
/// Log lines → TransactionDecoder → IngestedTransaction → one store write per 512 transactions (events, checkpoint and
/// REST index rows, <see cref="StoreWrites.ApplyWithoutCandles"/>),
/// into RocksDB in a temp folder, and the two halves alone. One operation is one event, so the Mean column is
/// ns per event and 10^9 / Mean is events/s. Ratio is against decoding alone.
/// </summary>
/// <remarks>
/// One invocation per iteration (a pass of 40,000 transactions, 56,000 events, ~150–250 ms through RocksDB):
/// <see cref="StoreOnly"/> needs fresh pre-decoded transactions per pass, made in its iteration setup, outside the
/// measurement. The store lives for the whole benchmark process and grows with every pass (~1.4 million events by
/// the end, several memtable flushes), as a real event log does.
/// </remarks>
[MemoryDiagnoser]
[MedianColumn, MinColumn, MaxColumn]
[SimpleJob(warmupCount: 3, iterationCount: 20, invocationCount: 1)]
public class IngestBenchmarks
{
    private const int DecodeOnlyPasses = 3;

    private readonly TransactionDecoder _decoder = new(PublicKey.Parse(AnchorLogs.ProgramId));
    private readonly List<IngestedTransaction> _batch = new(IngestWorkload.BatchSize);
    private IngestWorkload _workload = null!;
    private IngestedTransaction[] _preDecoded = [];
    private string _folder = "";
    private SpinPetStore _store = null!;
    private StoreWrites _writes = null!;
    private int _eventsWritten;

    [GlobalSetup]
    public void Setup()
    {
        _workload = new IngestWorkload();
        _folder = Path.Combine(Path.GetTempPath(), "spinpet-bench-" + Guid.NewGuid().ToString("N"));
        _store = SpinPetStore.Open(_folder);
        _writes = new StoreWrites(_store);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _store.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    [IterationSetup(Target = nameof(StoreOnly))]
    public void DecodeAhead()
    {
        var lines = _workload.Lines;
        _preDecoded = new IngestedTransaction[lines.Length];
        for (int i = 0; i < lines.Length; i++)
        {
            _preDecoded[i] = _workload.Next(_decoder.Decode(lines[i]));
        }
    }

    /// <summary>Every event of the pass must reach the store, or the measurement timed skipped work.</summary>
    [IterationCleanup(Targets = [nameof(DecodeAndStore), nameof(StoreOnly)])]
    public void CheckEverythingWasStored()
    {
        int written = _eventsWritten;
        _eventsWritten = 0;
        if (written != IngestWorkload.Events)
        {
            throw new InvalidOperationException($"A pass stored {written} events, not {IngestWorkload.Events}.");
        }
    }

    /// <summary>Three passes per invocation: one pass without storage is only ~40 ms.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = DecodeOnlyPasses * IngestWorkload.Events)]
    public int DecodeOnly()
    {
        var lines = _workload.Lines;
        int events = 0;
        for (int pass = 0; pass < DecodeOnlyPasses; pass++)
        {
            for (int i = 0; i < lines.Length; i++)
            {
                var transaction = _workload.Next(_decoder.Decode(lines[i]));
                events += transaction.Events.Count;
                _batch.Add(transaction);
                if (_batch.Count == IngestWorkload.BatchSize)
                {
                    _batch.Clear();
                }
            }
            _batch.Clear();
        }
        return events;
    }

    [Benchmark(OperationsPerInvoke = IngestWorkload.Events)]
    public int DecodeAndStore()
    {
        var lines = _workload.Lines;
        for (int i = 0; i < lines.Length; i++)
        {
            _batch.Add(_workload.Next(_decoder.Decode(lines[i])));
            if (_batch.Count == IngestWorkload.BatchSize)
            {
                ApplyBatch();
            }
        }
        ApplyBatch();
        return _eventsWritten;
    }

    [Benchmark(OperationsPerInvoke = IngestWorkload.Events)]
    public int StoreOnly()
    {
        var transactions = _preDecoded;
        for (int i = 0; i < transactions.Length; i++)
        {
            _batch.Add(transactions[i]);
            if (_batch.Count == IngestWorkload.BatchSize)
            {
                ApplyBatch();
            }
        }
        ApplyBatch();
        return _eventsWritten;
    }

    private void ApplyBatch()
    {
        if (_batch.Count == 0)
        {
            return;
        }
        var last = _batch[^1];
        var result = _writes.ApplyWithoutCandles(_batch, new Checkpoint(last.Signature, last.Slot, last.TxIndex));
        _eventsWritten += result.EventsWritten;
        _batch.Clear();
    }
}
