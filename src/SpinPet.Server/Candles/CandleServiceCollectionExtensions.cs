using Microsoft.Extensions.Options;
using SpinPet.Core.Events;
using SpinPet.Server.Configuration;
using SpinPet.Solana.Ingest;
using SpinPet.Storage;

namespace SpinPet.Server.Candles;

internal static class CandleServiceCollectionExtensions
{
    public static IServiceCollection AddSpinPetCandles(this IServiceCollection services)
    {
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(sp =>
        {
            var kline = sp.GetRequiredService<IOptions<KlineOptions>>().Value;
            var solana = sp.GetRequiredService<IOptions<SolanaOptions>>().Value;
            var engine = new CandleEngine(
                sp.GetRequiredService<SpinPetStore>(),
                KlineIntervals.Intervals(kline.Intervals),
                new PriceScale(solana.PriceScaleExponent),
                kline.VolumeUnit);
            // Built on first use, which is before the ingest (it writes through the engine): an interrupted rebuild
            // or changed settings are repaired here, before a single event is applied on top.
            engine.EnsureCurrent(sp.GetRequiredService<ILogger<CandleEngine>>());
            return engine;
        });
        services.AddHostedService<CandleFinalizerService>();
        return services;
    }
}
