using Microsoft.Extensions.Options;
using SpinPet.Core.Stream;
using SpinPet.Server.Configuration;
using SpinPet.Solana.Ingest;

namespace SpinPet.Server.Ingest;

internal static class IngestServiceCollectionExtensions
{
    public const string RpcHttpClient = "solana-rpc";

    /// <summary>
    /// The chain follower: PubSub + backfill into the batch stream, as a hosted service when <paramref name="hosted"/>
    /// (one process); a cluster node builds one per lease term instead.
    /// </summary>
    public static IServiceCollection AddSpinPetIngest(this IServiceCollection services, bool hosted = true)
    {
        // Timeouts are per call (solana.rpc_timeout_ms), inside the client's retry loop; HttpClient's own is off.
        services.AddHttpClient(RpcHttpClient, client => client.Timeout = Timeout.InfiniteTimeSpan);
        services.AddSingleton<IngestStatus>();
        services.AddSingleton<IBackfillJournal, StoreBackfillJournal>();
        services.AddSingleton(sp => new IngestService(
            sp.GetRequiredService<IOptions<SolanaOptions>>().Value,
            sp.GetRequiredService<IBatchStream>(),
            sp.GetRequiredService<IAppliedState>(),
            sp.GetRequiredService<IBackfillJournal>(),
            sp.GetRequiredService<IHttpClientFactory>().CreateClient(RpcHttpClient),
            sp.GetRequiredService<ILoggerFactory>(),
            sp.GetRequiredService<IngestStatus>(),
            sp.GetRequiredService<IOptions<KlineOptions>>().Value.FinalizeGraceMs,
            sp.GetRequiredService<TimeProvider>()));
        if (hosted)
        {
            services.AddHostedService(sp => sp.GetRequiredService<IngestService>());
        }
        return services;
    }
}
