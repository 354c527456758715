using BenchmarkDotNet.Running;

namespace SpinPet.Benchmarks;

internal static class Program
{
    // `dotnet run -c Release --project benchmarks/SpinPet.Benchmarks -- --filter '*'`, and
    // `… -- --history-latency` for the history read latencies (HistoryLatency), `… -- --ingest-throughput [mints]
    // [passes]` for the suite's ingest table (IngestThroughput); docs/benchmarks.md has the numbers
    // and the machine they were measured on.
    private static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "--history-latency")
        {
            return HistoryLatency.Run(args);
        }
        if (args.Length > 0 && args[0] == "--ingest-throughput")
        {
            return IngestThroughput.Run(args);
        }
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}
