using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.DependencyInjection;

namespace SpinPet.Indexer.Metadata;

public static class TokenMetadataServiceCollectionExtensions
{
    /// <summary>
    /// Token metadata: the queue the ingest feeds, the fetcher with its HTTP clients, the background service (idle when
    /// <c>ipfs.gateway_url</c> is unset) and the reader the REST routes use.
    /// </summary>
    public static IServiceCollection AddSpinPetTokenMetadata(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<TokenMetadataCounters>();
        services.AddSingleton<TokenMetadataQueue>();
        services.AddSingleton<IAppliedBatchListener>(sp => sp.GetRequiredService<TokenMetadataQueue>());
        services.AddSingleton(MetadataRetryPolicy.Default);
        services.AddSingleton(DirectFetchTestAllowance.None);
        TokenMetadataFetcher.AddClients(services);
        services.AddSingleton<TokenMetadataFetcher>();
        services.AddSingleton<TokenMetadataReader>();
        services.AddHostedService<TokenMetadataService>();
        return services;
    }
}
