using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace SpinPet.Benchmarks;

/// <summary>
/// The ingest scenario of the socket suite (benchmarks/run-scenarios.sh): replays about a million events through
/// log parse → decode → candles → RocksDB (<see cref="CandleIngestBenchmarks.DecodeStoreAndCandles"/>, the server's
/// ingest sink path) for each mint count, and prints one <c>RESULT {json}</c> line per count with events/s per
/// pass (median, min, max). The BenchmarkDotNet class gives the careful figures; this gives the suite's table.
/// </summary>
internal static class IngestThroughput
{
    public static int Run(string[] args)
    {
        int[] mintCounts = args.Length > 1
            ? [.. args[1].Split(',').Select(static s => int.Parse(s, CultureInfo.InvariantCulture))]
            : [1, 100, 10_000];
        int passes = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 18;
        foreach (int mints in mintCounts)
        {
            var bench = new CandleIngestBenchmarks { Mints = mints };
            bench.Setup();
            try
            {
                // Two passes to warm the JIT and RocksDB's memtables, not counted.
                for (int i = 0; i < 2; i++)
                {
                    bench.DecodeStoreAndCandles();
                    bench.CheckEverythingWasStored();
                }
                var rates = new List<double>();
                long events = 0;
                for (int i = 0; i < passes; i++)
                {
                    var clock = Stopwatch.StartNew();
                    events += bench.DecodeStoreAndCandles();
                    double seconds = clock.Elapsed.TotalSeconds;
                    bench.CheckEverythingWasStored();
                    rates.Add(CandleIngestWorkload.Events / seconds);
                }
                rates.Sort();
                Console.WriteLine("RESULT " + JsonSerializer.Serialize(new Dictionary<string, object>
                {
                    ["mints"] = mints,
                    ["events"] = events,
                    ["passes"] = passes,
                    ["events_per_s_median"] = Math.Round(rates[rates.Count / 2]),
                    ["events_per_s_min"] = Math.Round(rates[0]),
                    ["events_per_s_max"] = Math.Round(rates[^1]),
                }));
            }
            finally
            {
                bench.Cleanup();
            }
        }
        return 0;
    }
}
