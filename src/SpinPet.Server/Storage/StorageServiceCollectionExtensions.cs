using Microsoft.Extensions.Options;
using SpinPet.Indexer.Indexes;
using SpinPet.Server.Configuration;
using SpinPet.Storage;

namespace SpinPet.Server.Storage;

internal static class StorageServiceCollectionExtensions
{
    /// <summary>
    /// One <see cref="SpinPetStore"/> for the process, opened on first use and closed by the container after the
    /// hosted services (ingest included) have stopped, so the last batch is written before RocksDB closes. A database
    /// written before the REST API's index rows existed gets them rebuilt from its event log here, before anything
    /// (the ingest included) can use the store. A graceful stop flushes it (<see cref="StoreShutdownFlush"/>).
    /// </summary>
    public static IServiceCollection AddSpinPetStorage(this IServiceCollection services)
    {
        services.AddSingleton(sp =>
        {
            var store = SpinPetStore.Open(sp.GetRequiredService<IOptions<DatabaseOptions>>().Value.RocksDbPath);
            IndexRebuild.EnsureCurrent(store, sp.GetRequiredService<ILogger<SpinPetStore>>());
            return store;
        });
        // Registered before the ingest and candle services; it flushes after all of them stopped.
        services.AddHostedService<StoreShutdownFlush>();
        return services;
    }
}
