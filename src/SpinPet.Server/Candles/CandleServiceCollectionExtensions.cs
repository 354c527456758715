using Microsoft.Extensions.Options;
using SpinPet.Core.Events;
using SpinPet.Core.Stream;
using SpinPet.Indexer;
using SpinPet.Indexer.Candles;
using SpinPet.Indexer.Stream;
using SpinPet.Server.Configuration;
using SpinPet.Solana.Ingest;
using SpinPet.Storage;

namespace SpinPet.Server.Candles;

internal static class CandleServiceCollectionExtensions
{
    /// <summary>
    /// The indexer (candles, finalization, REST index rows) and the in-process batch stream the ingest appends to; the
    /// listeners it announces to (the fan-out, the metadata queue) are registered by their features.
    /// </summary>
    public static IServiceCollection AddSpinPetCandles(this IServiceCollection services)
    {
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(sp =>
        {
            var kline = sp.GetRequiredService<IOptions<KlineOptions>>().Value;
            var solana = sp.GetRequiredService<IOptions<SolanaOptions>>().Value;
            return new CandleSettings(KlineIntervals.Intervals(kline.Intervals), new PriceScale(solana.PriceScaleExponent), kline.VolumeUnit);
        });
        services.AddSingleton(sp =>
        {
            var indexer = new SpinPetIndexer(
                sp.GetRequiredService<SpinPetStore>(), sp.GetRequiredService<CandleSettings>(), sp.GetServices<IAppliedBatchListener>());
            // Built on first use, which is before the ingest (it appends through the indexer): an interrupted rebuild
            // or changed settings are repaired here, before a single batch is applied on top.
            indexer.EnsureCurrent(sp.GetRequiredService<ILogger<SpinPetIndexer>>());
            return indexer;
        });
        services.AddSingleton<IAppliedState>(sp => sp.GetRequiredService<SpinPetIndexer>());
        services.AddSingleton<IBatchStream>(sp => new InProcessBatchStream(sp.GetRequiredService<SpinPetIndexer>()));
        return services;
    }
}
