using Microsoft.Extensions.Logging.Abstractions;
using NATS.Client.Core;
using NATS.Client.JetStream;
using SpinPet.Cluster.Streams;
using SpinPet.Core.Candles;
using SpinPet.Core.Events;
using SpinPet.Core.Stream;
using SpinPet.Indexer;
using SpinPet.Indexer.Candles;
using SpinPet.Storage;

namespace SpinPet.Cluster.Tests;

/// <summary>
/// One node as the host composes it, without the host: its own RocksDB store and indexer, its own NATS connection, a
/// follower applying the stream (running until disposed), and the leader's batch stream over them.
/// </summary>
internal sealed class ClusterTestNode : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _following;

    private ClusterTestNode(string folder, ClusterSettings settings, IAppliedBatchListener[] listeners)
    {
        Settings = settings;
        Store = SpinPetStore.Open(folder);
        Indexer = new SpinPetIndexer(Store, new CandleSettings(Interval.Required, PriceScale.Default, VolumeUnit.Sol), listeners);
        Connection = new NatsConnection(settings.ConnectionOptions(NullLoggerFactory.Instance));
        Stream = new ClusterStream(new NatsJSContext(Connection), settings);
        Follower = new StreamFollower(Stream, Indexer, NullLogger<StreamFollower>.Instance);
        Batches = new JetStreamBatchStream(Stream, Follower, Connection, NullLogger<JetStreamBatchStream>.Instance);
        _following = Follower.RunAsync(_stop.Token);
    }

    public ClusterSettings Settings { get; }

    public SpinPetStore Store { get; }

    public SpinPetIndexer Indexer { get; }

    public NatsConnection Connection { get; }

    public ClusterStream Stream { get; }

    public StreamFollower Follower { get; }

    public JetStreamBatchStream Batches { get; }

    /// <summary>Test settings: a 2 s lease, polls every 200 ms, calls bounded by 3 s.</summary>
    public static ClusterSettings SettingsFor(string url, string stream, string node = "test-node") =>
        new(url, stream, node, TimeSpan.FromSeconds(2), MaxReadyLag: 0)
        {
            PollInterval = TimeSpan.FromMilliseconds(200),
            CallTimeout = TimeSpan.FromSeconds(3),
        };

    public static ClusterTestNode Open(string folder, ClusterSettings settings, params IAppliedBatchListener[] listeners) =>
        new(folder, settings, listeners);

    /// <summary>Waits until this node has consumed the stream up to <paramref name="position"/>.</summary>
    public async Task WaitAppliedAsync(StreamPosition position, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        await Follower.WaitForAsync(position.Epoch, position.Seq, timeout.Token);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _following;
        await Connection.DisposeAsync();
        Store.Dispose();
        _stop.Dispose();
    }
}
