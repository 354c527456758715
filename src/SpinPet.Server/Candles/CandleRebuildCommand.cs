using System.Diagnostics;
using SpinPet.Indexer;

namespace SpinPet.Server.Candles;

/// <summary><c>--rebuild-candles</c>: recompute every candle from the stored event log, report, exit.</summary>
internal static partial class CandleRebuildCommand
{
    public static int Run(WebApplication app)
    {
        if (Cluster.ClusterServiceCollectionExtensions.IsNatsCluster(app.Configuration))
        {
            // A rebuild begins a new epoch of this node's own: its positions would leave the stream's (docs/architecture.md, "The cluster").
            throw new Cluster.ClusterStartException("cluster: --rebuild-candles is refused on a cluster node; to rebuild its candles, " +
                "stop it, delete its database (database.rocksdb_path) and start it again: it catches up from the stream.");
        }
        var logger = app.Services.GetRequiredService<ILogger<SpinPetIndexer>>();
        var indexer = app.Services.GetRequiredService<SpinPetIndexer>();
        var clock = Stopwatch.StartNew();
        LogStarting(logger, string.Join(", ", indexer.Intervals));
        // Resolving the indexer may already have rebuilt (an interrupted rebuild or changed settings): not twice.
        long events = indexer.RebuiltAtStart ?? indexer.RebuildCandles();
        LogDone(logger, events, clock.ElapsedMilliseconds);
        // Disposing the container closes RocksDB cleanly before the process exits.
        ((IDisposable)app).Dispose();
        return 0;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Rebuilding candles ({Intervals}) from the stored event log")]
    private static partial void LogStarting(ILogger logger, string intervals);

    [LoggerMessage(Level = LogLevel.Information, Message = "Rebuilt candles from {Events} price events in {ElapsedMs} ms")]
    private static partial void LogDone(ILogger logger, long events, long elapsedMs);
}
