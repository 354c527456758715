using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Runtime;
using System.Runtime.InteropServices;
using RocksDbSharp;
using SpinPet.Core.Candles;
using SpinPet.Core.Chain;
using SpinPet.Core.Ingest;
using SpinPet.Storage;
using Checkpoint = SpinPet.Core.Ingest.Checkpoint;

namespace SpinPet.Benchmarks;

/// <summary>
/// <c>--history-latency</c>: the latency of one history page read (<see cref="SpinPetStore.ReadCandlesNewest"/>) with
/// 10 million candles stored, as p50/p90/p99/p99.9 of many single reads, beside a RocksDB point Get in the same run.
/// A load loop rather than BenchmarkDotNet, whose statistics are of means over invocations, not of single operations.
/// </summary>
/// <remarks>
/// <para>
/// Every read is timed twice: wall clock (what a client waits) and the thread's own CPU time (clock_gettime with
/// CLOCK_THREAD_CPUTIME_ID, read just outside the wall-clock window). On a shared 2-core machine the wall-clock tail
/// is mostly time spent descheduled behind other processes; the CPU-time percentiles show what the read itself costs,
/// and the "descheduled" column counts the reads whose wall time exceeded their CPU time by more than 1 ms.
/// </para>
/// <para>
/// The store (1,000 mints × 10,000 consecutive s1 candles, plus 100,000 transaction rows for the point Get) is built
/// once and cached in <c>/tmp/spinpet-bench-10m/&lt;layout&gt;</c>; the folder name carries <see cref="Layout"/>, which
/// names the generator's version and shape, so a changed generator builds a new store. A <c>complete</c> file marks
/// a finished build; a folder without it is deleted and rebuilt. <c>--rebuild</c> forces a rebuild.
/// </para>
/// <para>
/// Variants, interleaved in blocks of 100 operations so that machine noise falls on all of them alike: a point Get
/// of a stored transaction row (baseline), 1, 100 and 1,000 candles before a random time, and the newest 100 and
/// 1,000 candles (no <c>before</c>: the chart's first request), and 100 and 1,000 candles read forward from a random
/// time (<see cref="SpinPetStore.ReadCandlesFrom"/>), to separate the cost of iterating backwards. Each operation
/// picks a random mint. A random <c>before</c> or start lies where at least <c>limit</c> candles are on the side
/// read, so every read returns a full page (checked).
/// </para>
/// </remarks>
internal static class HistoryLatency
{
    /// <summary>Bump the version when the generator or the store's layout changes: it names the cached folder.</summary>
    private const string Layout = "v1-1000mints-10000s1";

    private const string CacheRoot = "/tmp/spinpet-bench-10m";
    private const int MintCount = 1_000;
    private const int CandlesPerMint = 10_000;
    private const int WriteBatchRows = 100_000;
    private const int StoredTransactions = 100_000;
    private const long FirstTime = 1_760_000_000;
    private const int BlockSize = 100;

    private static readonly Interval s_interval = Interval.S1;

    public static int Run(string[] args)
    {
        int samples = IntOption(args, "--samples", 20_000);
        bool rebuild = args.Contains("--rebuild");
        bool buildOnly = args.Contains("--build-only");
        string folder = Path.Combine(CacheRoot, Layout);
        var mints = Enumerable.Range(0, MintCount).Select(MintKey).ToArray();

        Console.WriteLine($"history-latency: store {folder}, {samples:N0} samples per variant");
        Console.WriteLine($"runtime {Environment.Version}, server GC {GCSettings.IsServerGC}, concurrent GC {GCSettings.LatencyMode != GCLatencyMode.Batch}, {Environment.ProcessorCount} CPUs");
        Console.WriteLine($"load average at start: {LoadAverage()}");
        if (rebuild || !File.Exists(Path.Combine(folder, "complete")))
        {
            Build(folder, mints);
        }
        Console.WriteLine(File.ReadAllText(Path.Combine(folder, "complete")).TrimEnd());
        if (buildOnly)
        {
            // For the socket suite's history scenario: the server opens a copy of this store, the load generator
            // asks for these mints' candles (each has CandlesPerMint s1 candles from FirstTime on).
            if (StringOption(args, "--mints-out") is { } mintsOut)
            {
                File.WriteAllLines(mintsOut, mints.Select(static m => m.ToString()));
            }
            Console.WriteLine($"STORE {folder} first_time={FirstTime} candles_per_mint={CandlesPerMint}");
            return 0;
        }

        var open = Stopwatch.StartNew();
        using var store = SpinPetStore.Open(folder);
        Console.WriteLine($"store opened in {open.Elapsed.TotalMilliseconds:N0} ms");
        foreach (var mint in mints)
        {
            if (store.Candles.CountCandles(mint, s_interval) != CandlesPerMint)
            {
                throw new InvalidOperationException($"Mint {mint} has {store.Candles.CountCandles(mint, s_interval)} s1 candles, not {CandlesPerMint}.");
            }
        }
        var signatures = Enumerable.Range(0, StoredTransactions).Select(n => IngestWorkload.Signature((ulong)n)).ToArray();

        var variants = new Variant[]
        {
            new("point Get (transaction row)", 0, ReadMode.PointGet),
            new("1 candle, random before", 1, ReadMode.NewestBefore),
            new("100 candles, random before", 100, ReadMode.NewestBefore),
            new("1,000 candles, random before", 1_000, ReadMode.NewestBefore),
            new("100 newest candles", 100, ReadMode.Newest),
            new("1,000 newest candles", 1_000, ReadMode.Newest),
            new("100 candles from a random time (forward)", 100, ReadMode.From),
            new("1,000 candles from a random time (forward)", 1_000, ReadMode.From),
        };
        var random = new Random(20_261_125);

        // Warm-up: JIT, the block cache's index and filter blocks, the page cache's hot parts.
        Measure(store, mints, signatures, variants, random, perVariant: Math.Max(2_000, samples / 10), record: false);
        int gen0 = GC.CollectionCount(0), gen1 = GC.CollectionCount(1), gen2 = GC.CollectionCount(2);
        var elapsed = Stopwatch.StartNew();
        Measure(store, mints, signatures, variants, random, samples, record: true);
        elapsed.Stop();
        Console.WriteLine(
            $"measured {samples * variants.Length:N0} reads in {elapsed.Elapsed.TotalSeconds:N1} s; GCs gen0/1/2: " +
            $"{GC.CollectionCount(0) - gen0}/{GC.CollectionCount(1) - gen1}/{GC.CollectionCount(2) - gen2}; load average at end: {LoadAverage()}");
        Report(variants);
        return 0;
    }

    private enum ReadMode
    {
        /// <summary>SpinPetStore.ReadTransaction: one RocksDB Get of a stored signatures row.</summary>
        PointGet,

        /// <summary>ReadCandlesNewest with <c>before</c> at a random time: a page further back in the chart.</summary>
        NewestBefore,

        /// <summary>ReadCandlesNewest without <c>before</c>: the chart's first request.</summary>
        Newest,

        /// <summary>ReadCandlesFrom a random time: the same page size read forward (Seek and Next instead of SeekForPrev and Prev).</summary>
        From,
    }

    private sealed record Variant(string Name, int Limit, ReadMode Mode)
    {
        public List<long> Ticks { get; } = [];

        public List<long> CpuNanoseconds { get; } = [];

        public long AllocatedBytes { get; set; }
    }

    private static void Measure(SpinPetStore store, PublicKey[] mints, TxSignature[] signatures, Variant[] variants, Random random, int perVariant, bool record)
    {
        for (int done = 0; done < perVariant; done += BlockSize)
        {
            int block = Math.Min(BlockSize, perVariant - done);
            foreach (var variant in variants)
            {
                long allocated = GC.GetAllocatedBytesForCurrentThread();
                for (int i = 0; i < block; i++)
                {
                    long cpu = ThreadCpuNanoseconds();
                    long ticks = variant.Mode == ReadMode.PointGet
                        ? PointGet(store, signatures[random.Next(signatures.Length)])
                        : Page(store, mints[random.Next(mints.Length)], variant, random);
                    cpu = ThreadCpuNanoseconds() - cpu;
                    if (record)
                    {
                        variant.Ticks.Add(ticks);
                        variant.CpuNanoseconds.Add(cpu);
                    }
                }
                if (record)
                {
                    variant.AllocatedBytes += GC.GetAllocatedBytesForCurrentThread() - allocated;
                }
            }
        }
    }

    private static long PointGet(SpinPetStore store, TxSignature signature)
    {
        long start = Stopwatch.GetTimestamp();
        var row = store.Events.ReadTransaction(signature);
        long ticks = Stopwatch.GetTimestamp() - start;
        if (row is null)
        {
            throw new InvalidOperationException("A stored transaction row was not found.");
        }
        return ticks;
    }

    private static long Page(SpinPetStore store, PublicKey mint, Variant variant, Random random)
    {
        // Candles at FirstTime … FirstTime + CandlesPerMint − 1: "before b" returns b − FirstTime of them, ≥ limit, and
        // "from f" returns FirstTime + CandlesPerMint − f of them, ≥ limit.
        long at = FirstTime + random.Next(CandlesPerMint - variant.Limit + 1);
        long? before = variant.Mode == ReadMode.NewestBefore ? at + variant.Limit : null;
        long start = Stopwatch.GetTimestamp();
        var page = variant.Mode == ReadMode.From
            ? store.Candles.ReadCandlesFrom(mint, s_interval, at, variant.Limit)
            : store.Candles.ReadCandlesNewest(mint, s_interval, variant.Limit, before);
        long ticks = Stopwatch.GetTimestamp() - start;
        long expectedFirst = variant.Mode == ReadMode.From ? at : (before ?? FirstTime + CandlesPerMint) - 1;
        if (page.Candles.Count != variant.Limit || page.Candles[0].Time != expectedFirst)
        {
            throw new InvalidOperationException(
                $"{variant.Name}: {page.Candles.Count} candles from {(page.Candles.Count > 0 ? page.Candles[0].Time : 0)}, expected {variant.Limit} from {expectedFirst}.");
        }
        return ticks;
    }

    private static void Report(Variant[] variants)
    {
        // Before the samples are sorted: reads that waited > 1 ms longer than they ran.
        var descheduled = variants.ToDictionary(
            v => v,
            v => v.Ticks.Zip(v.CpuNanoseconds).Count(p => (Micro(p.First) * 1_000) - p.Second > 1_000_000));
        double baselineP50 = Percentile(variants[0].Ticks, 0.50);
        double baselineP99 = Percentile(variants[0].Ticks, 0.99);
        Console.WriteLine();
        Console.WriteLine("wall clock:");
        Console.WriteLine("| variant | p50 µs | p90 µs | p99 µs | p99.9 µs | max µs | mean µs | B/op | p50 ratio | p99 ratio | descheduled > 1 ms |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var v in variants)
        {
            double p50 = Percentile(v.Ticks, 0.50), p99 = Percentile(v.Ticks, 0.99);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {v.Name} | {Micro(p50):F1} | {Micro(Percentile(v.Ticks, 0.90)):F1} | {Micro(p99):F1} | " +
                $"{Micro(Percentile(v.Ticks, 0.999)):F1} | {Micro(v.Ticks.Max()):F1} | {Micro(v.Ticks.Average()):F1} | " +
                $"{v.AllocatedBytes / v.Ticks.Count:N0} | {p50 / baselineP50:F1} | {p99 / baselineP99:F1} | {descheduled[v]} |"));
        }
        double cpuBaselineP50 = Percentile(variants[0].CpuNanoseconds, 0.50);
        double cpuBaselineP99 = Percentile(variants[0].CpuNanoseconds, 0.99);
        Console.WriteLine();
        Console.WriteLine("thread CPU time (includes ~1 clock_gettime call):");
        Console.WriteLine("| variant | p50 µs | p90 µs | p99 µs | p99.9 µs | max µs | mean µs | p50 ratio | p99 ratio |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var v in variants)
        {
            double p50 = Percentile(v.CpuNanoseconds, 0.50), p99 = Percentile(v.CpuNanoseconds, 0.99);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {v.Name} | {p50 / 1e3:F1} | {Percentile(v.CpuNanoseconds, 0.90) / 1e3:F1} | {p99 / 1e3:F1} | " +
                $"{Percentile(v.CpuNanoseconds, 0.999) / 1e3:F1} | {v.CpuNanoseconds.Max() / 1e3:F1} | {v.CpuNanoseconds.Average() / 1e3:F1} | " +
                $"{p50 / cpuBaselineP50:F1} | {p99 / cpuBaselineP99:F1} |"));
        }
    }

    /// <summary>Nearest-rank percentile of the sample (sorted in place).</summary>
    private static double Percentile(List<long> ticks, double p)
    {
        ticks.Sort();
        int rank = (int)Math.Ceiling(p * ticks.Count);
        return ticks[Math.Clamp(rank - 1, 0, ticks.Count - 1)];
    }

    private static double Micro(double ticks) => ticks * 1_000_000.0 / Stopwatch.Frequency;

    private const int ClockThreadCpuTime = 3;

    /// <summary>CPU time consumed by the calling thread (Linux), in nanoseconds.</summary>
    private static long ThreadCpuNanoseconds() =>
        ClockGetTime(ClockThreadCpuTime, out var time) == 0 ? (time.Seconds * 1_000_000_000) + time.Nanoseconds : 0;

    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [DllImport("libc", EntryPoint = "clock_gettime")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int ClockGetTime(int clock, out Timespec time);

    private static void Build(string folder, PublicKey[] mints)
    {
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }
        Console.WriteLine($"building {MintCount:N0} mints × {CandlesPerMint:N0} s1 candles = {(long)MintCount * CandlesPerMint:N0} candles in {folder} …");
        var total = Stopwatch.StartNew();
        using (var store = SpinPetStore.Open(folder))
        {
            var writes = new StoreWrites(store);
            // Written as a live server writes them: second by second, every mint's candle of that second, so the
            // LSM tree gets the interleaved key order of real ingest and settles through ordinary compactions.
            var random = new Random(42);
            var close = new double[MintCount];
            for (int m = 0; m < MintCount; m++)
            {
                close[m] = 2.8e-8 * (1 + (m % 97 / 10.0));
            }
            var rows = new List<CandleWrite>(WriteBatchRows);
            long written = 0;
            var lap = Stopwatch.StartNew();
            for (int t = 0; t < CandlesPerMint; t++)
            {
                for (int m = 0; m < MintCount; m++)
                {
                    double open = close[m];
                    double next = open * (1 + ((random.NextDouble() - 0.5) * 0.01));
                    double high = Math.Max(open, next) * (1 + (random.NextDouble() * 0.002));
                    double low = Math.Min(open, next) * (1 - (random.NextDouble() * 0.002));
                    close[m] = next;
                    var candle = new Candle(FirstTime + t, open, high, low, next, Volume: 0, UpdateCount: 1 + random.Next(12), IsFinal: true);
                    rows.Add(new CandleWrite(mints[m], s_interval, candle, IsNew: true));
                    if (rows.Count == WriteBatchRows)
                    {
                        writes.WriteCandles(rows);
                        written += rows.Count;
                        rows.Clear();
                        if (written % 1_000_000 == 0)
                        {
                            Console.WriteLine($"  {written:N0} candles, {lap.Elapsed.TotalSeconds:N1} s for the last million, {total.Elapsed.TotalSeconds:N0} s in all");
                            lap.Restart();
                        }
                    }
                }
            }
            writes.WriteCandles(rows);

            // Transaction rows for the baseline point Get: failed transactions are a signatures row and nothing else.
            var batch = new List<IngestedTransaction>(512);
            for (int n = 0; n < StoredTransactions; n++)
            {
                batch.Add(new IngestedTransaction(IngestWorkload.Signature((ulong)n), 300_000_000 + ((ulong)n / 4), (uint)(n % 4), FirstTime + (n / 10), Failed: true, [], []));
                if (batch.Count == 512 || n == StoredTransactions - 1)
                {
                    var last = batch[^1];
                    writes.ApplyWithoutCandles(batch, new Checkpoint(last.Signature, last.Slot, last.TxIndex));
                    batch.Clear();
                }
            }
            store.Flush();
        }
        Console.WriteLine($"  written and flushed in {total.Elapsed.TotalSeconds:N0} s; waiting for compactions …");
        string levels = SettleCompactions(folder);
        long bytes = new DirectoryInfo(folder).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length);
        string summary = string.Create(CultureInfo.InvariantCulture,
            $"store {Layout}: {(long)MintCount * CandlesPerMint:N0} candles + {StoredTransactions:N0} transaction rows, " +
            $"{bytes / 1e6:N0} MB on disk, built {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC in {total.Elapsed.TotalSeconds:N0} s\n{levels}");
        File.WriteAllText(Path.Combine(folder, "complete"), summary + "\n");
    }

    /// <summary>
    /// Opens the database directly with the store's own options (the store does not expose RocksDB) and waits until
    /// no compaction is pending or running, so every measurement starts from the same settled tree. Returns the
    /// candles family's level summary.
    /// </summary>
    private static string SettleCompactions(string folder)
    {
        var (options, families) = StoreOptions.Create(folder);
        using var db = RocksDb.Open(options, folder, families);
        var candles = db.GetColumnFamily(ColumnFamilyNames.Candles);
        var wait = Stopwatch.StartNew();
        while (db.GetProperty("rocksdb.compaction-pending", candles) != "0"
            || db.GetProperty("rocksdb.num-running-compactions") != "0")
        {
            Thread.Sleep(500);
        }
        Console.WriteLine($"  compactions settled after {wait.Elapsed.TotalSeconds:N0} s");
        return "candles family levels:\n" + db.GetProperty("rocksdb.levelstats", candles).TrimEnd();
    }

    private static PublicKey MintKey(int index)
    {
        Span<byte> bytes = stackalloc byte[PublicKey.Length];
        for (int k = 0; k < PublicKey.Length / sizeof(ulong); k++)
        {
            ulong x = IngestWorkload.SplitMix64(0x484953540000_0000UL + ((ulong)index * 4) + (ulong)k);
            BinaryPrimitives.WriteUInt64LittleEndian(bytes[(k * sizeof(ulong))..], x);
        }
        return new PublicKey(bytes);
    }

    private static int IntOption(string[] args, string name, int fallback)
    {
        int at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : fallback;
    }

    private static string? StringOption(string[] args, string name)
    {
        int at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";
}
