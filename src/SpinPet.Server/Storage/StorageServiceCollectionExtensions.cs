using Microsoft.Extensions.Options;
using SpinPet.Server.Configuration;
using SpinPet.Storage;

namespace SpinPet.Server.Storage;

internal static class StorageServiceCollectionExtensions
{
    /// <summary>
    /// One <see cref="SpinPetStore"/> for the process, opened on first use and closed by the container after the
    /// hosted services (ingest included) have stopped, so the last batch is written before RocksDB closes.
    /// </summary>
    public static IServiceCollection AddSpinPetStorage(this IServiceCollection services)
    {
        services.AddSingleton(sp => SpinPetStore.Open(sp.GetRequiredService<IOptions<DatabaseOptions>>().Value.RocksDbPath));
        return services;
    }
}
