using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.KeyValueStore;
using OpenTelemetry.Metrics;
using SpinPet.Cluster;
using SpinPet.Cluster.Lease;
using SpinPet.Cluster.Streams;
using SpinPet.Core.Stream;
using SpinPet.Indexer;
using SpinPet.Indexer.Candles;
using SpinPet.Server.Configuration;
using SpinPet.Server.Health;
using SpinPet.Server.Observability;
using SpinPet.Solana.Ingest;
using SpinPet.Storage;

namespace SpinPet.Server.Cluster;

internal static class ClusterServiceCollectionExtensions
{
    /// <summary>True when the configuration asks for <c>cluster.mode = "nats"</c> (validated later, with every other key).</summary>
    public static bool IsNatsCluster(IConfiguration configuration) =>
        string.Equals(configuration[$"{ClusterOptions.Section}:mode"], nameof(ClusterMode.Nats), StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// <c>cluster.mode = "nats"</c> (shared/spec/cluster.md; docs/architecture.md "The cluster"): this node follows the
    /// JetStream stream into its own store (every role), and an <c>all</c> or <c>ingest</c> node is a candidate for the
    /// ingest lease and runs the ingest while it holds it. Nothing changes in single mode. Replaces the single process's
    /// in-process batch stream (nothing applies but the follower) and its start-up candle rebuild (a node rebuilding on
    /// its own would leave the stream's positions), and the ingest health check with the cluster's.
    /// </summary>
    public static IServiceCollection AddSpinPetCluster(this IServiceCollection services, IConfiguration configuration)
    {
        if (!IsNatsCluster(configuration))
        {
            return services;
        }
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<ClusterOptions>>().Value;
            return new ClusterSettings(options.NatsUrl, options.Stream, options.NodeId ?? ClusterOptions.HostNodeId(),
                TimeSpan.FromMilliseconds(options.LeaseTtlMs), options.MaxReadyLag);
        });
        services.AddSingleton(sp => new NatsConnection(
            sp.GetRequiredService<ClusterSettings>().ConnectionOptions(sp.GetRequiredService<ILoggerFactory>())));
        services.AddSingleton<INatsJSContext>(sp => new NatsJSContext(sp.GetRequiredService<NatsConnection>()));
        services.AddSingleton(sp => new ClusterStream(sp.GetRequiredService<INatsJSContext>(), sp.GetRequiredService<ClusterSettings>()));
        services.AddSingleton<StreamFollower>();
        services.AddSingleton(sp => new IngestLease(
            new NatsKVContext(sp.GetRequiredService<INatsJSContext>()), sp.GetRequiredService<ClusterSettings>(),
            sp.GetRequiredService<ILogger<IngestLease>>()));
        services.AddHostedService<ClusterNode>();

        services.RemoveAll<IBatchStream>();
        services.RemoveAll<SpinPetIndexer>();
        services.AddSingleton(sp =>
        {
            var indexer = new SpinPetIndexer(
                sp.GetRequiredService<SpinPetStore>(), sp.GetRequiredService<CandleSettings>(), sp.GetServices<IAppliedBatchListener>());
            if (indexer.RebuildReason() is { } reason)
            {
                throw new ClusterStartException($"cluster: this node's candles cannot be built on ({reason}). A cluster node never rebuilds " +
                    "on its own (its positions would leave the stream's): stop it, delete its database (database.rocksdb_path) and start " +
                    "it again to catch up from the stream; every node must run the same [kline] settings.");
            }
            indexer.EnsureCurrent(sp.GetRequiredService<ILogger<SpinPetIndexer>>());
            return indexer;
        });

        services.AddSingleton<ClusterHealthCheck>();
        services.Configure<HealthCheckServiceOptions>(options =>
        {
            var ingest = options.Registrations.FirstOrDefault(r => r.Name == "ingest");
            if (ingest is not null)
            {
                options.Registrations.Remove(ingest);
            }
            options.Registrations.Add(new HealthCheckRegistration("cluster", sp => sp.GetRequiredService<ClusterHealthCheck>(), null, null));
        });
        services.ConfigureOpenTelemetryMeterProvider(metrics => metrics.AddInstrumentation(sp => new ClusterMetrics(
            sp.GetRequiredService<StreamFollower>(), sp.GetRequiredService<IngestLease>(), sp.GetRequiredService<ClusterSettings>())));
        return services;
    }
}
