using Microsoft.Extensions.Options;
using SpinPet.Server.Configuration;
using SpinPet.Solana.Decoding;
using SpinPet.Storage;

namespace SpinPet.Server.Storage;

internal static partial class StorageServiceCollectionExtensions
{
    /// <summary>
    /// One <see cref="SpinPetStore"/> for the process, opened on first use and closed by the container after the
    /// hosted services (ingest included) have stopped, so the last batch is written before RocksDB closes. A database
    /// written before the REST API's derived rows existed gets them rebuilt from its event log here, before anything
    /// (the ingest included) can use the store. A graceful stop flushes it (<see cref="StoreShutdownFlush"/>).
    /// </summary>
    public static IServiceCollection AddSpinPetStorage(this IServiceCollection services)
    {
        services.AddSingleton(sp =>
        {
            var store = SpinPetStore.Open(sp.GetRequiredService<IOptions<DatabaseOptions>>().Value.RocksDbPath);
            if (store.NeedsDerivedRowsRebuild)
            {
                var logger = sp.GetRequiredService<ILogger<SpinPetStore>>();
                LogRebuilding(logger);
                long replayed = store.RebuildDerivedRows(Decode);
                LogRebuilt(logger, replayed, store.MintCount);
            }
            return store;
        });
        // Registered before the ingest and candle services; it flushes after all of them stopped.
        services.AddHostedService<StoreShutdownFlush>();
        return services;
    }

    private static Core.Events.SpinPetEvent? Decode(ReadOnlyMemory<byte> payload) =>
        EventDecoder.TryDecode(payload.Span, out var ev) is DecodeStatus.Ok or DecodeStatus.OkWithTrailingBytes ? ev : null;

    [LoggerMessage(Level = LogLevel.Warning, Message = "The database has events but no REST index rows (written by an older version): rebuilding them from the event log")]
    private static partial void LogRebuilding(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Rebuilt the REST index rows from {Events} events ({Mints} mints)")]
    private static partial void LogRebuilt(ILogger logger, long events, int mints);
}
