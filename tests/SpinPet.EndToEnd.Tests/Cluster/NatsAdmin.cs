using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.KeyValueStore;
using SpinPet.Cluster;

namespace SpinPet.EndToEnd.Tests.Cluster;

/// <summary>
/// What the tests ask NATS directly, as an operator with the <c>nats</c> tool would: who holds the ingest lease (its
/// key's value is the holder's node id), the stream's state, and deleting the stream. Every call has a deadline.
/// </summary>
internal static class NatsAdmin
{
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(5);

    /// <summary>The node id in the lease key, or null when no one holds it (absent, expired or deleted).</summary>
    public static async Task<string?> LeaseHolderAsync(LocalCluster cluster)
    {
        using var deadline = new CancellationTokenSource(CallTimeout);
        await using var nats = Connect(cluster);
        var kv = new NatsKVContext(new NatsJSContext(nats));
        try
        {
            var store = await kv.GetStoreAsync(Settings(cluster).LeaseBucket, deadline.Token);
            var entry = await store.GetEntryAsync<string>(ClusterSettings.LeaseKey, cancellationToken: deadline.Token);
            return entry.Value;
        }
        catch (NatsKVException)
        {
            // NatsKVKeyNotFoundException / NatsKVKeyDeletedException: the key is gone.
            return null;
        }
        catch (NatsJSApiException e) when (e.Error.Code == 404)
        {
            return null;
        }
    }

    /// <summary>The stream's last sequence.</summary>
    public static async Task<long> StreamLastSeqAsync(LocalCluster cluster)
    {
        using var deadline = new CancellationTokenSource(CallTimeout);
        await using var nats = Connect(cluster);
        var stream = await new NatsJSContext(nats).GetStreamAsync(cluster.Stream, cancellationToken: deadline.Token);
        return (long)stream.Info.State.LastSeq;
    }

    /// <summary>Deletes the cluster stream (what an operator's <c>nats stream rm</c> does).</summary>
    public static async Task DeleteStreamAsync(LocalCluster cluster)
    {
        using var deadline = new CancellationTokenSource(CallTimeout);
        await using var nats = Connect(cluster);
        Assert.True(await new NatsJSContext(nats).DeleteStreamAsync(cluster.Stream, deadline.Token), "the stream was deleted");
    }

    private static NatsConnection Connect(LocalCluster cluster) => new(NatsOpts.Default with { Url = cluster.Nats.Url, Name = "spinpet-test-admin" });

    private static ClusterSettings Settings(LocalCluster cluster) => new(cluster.Nats.Url, cluster.Stream, "test", LocalCluster.LeaseTtl, 0);
}
