using SpinPet.Core.Ingest;
using SpinPet.Core.Stream;
using SpinPet.TestSupport;
using static SpinPet.Storage.Tests.TestChain;

namespace SpinPet.Cluster.Tests;

/// <summary>A nats-server per test class instance (so per test), a temp folder for the nodes' stores, and helpers.</summary>
public abstract class ClusterTestBase : IAsyncLifetime
{
    private readonly TempFolder _folder = new("spinpet-cluster");
    private readonly List<ClusterTestNode> _nodes = [];
    private NatsServer? _server;

    internal NatsServer Server => _server!;

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _server = await NatsServer.StartAsync();

    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
        }
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
        _folder.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>A node on its own store folder <paramref name="name"/> (reopened when it existed), following stream SPINPET.</summary>
    internal ClusterTestNode Node(string name, string stream = "SPINPET", TimeSpan? pollInterval = null, Indexer.IAppliedBatchListener? listener = null)
    {
        var settings = ClusterTestNode.SettingsFor(Server.Url, stream, name);
        if (pollInterval is { } poll)
        {
            settings = settings with { PollInterval = poll };
        }
        var node = ClusterTestNode.Open(Path.Combine(_folder.Path, name), settings, listener is null ? [] : [listener]);
        _nodes.Add(node);
        return node;
    }

    internal async Task CloseAsync(ClusterTestNode node)
    {
        _nodes.Remove(node);
        await node.DisposeAsync();
    }

    /// <summary>Appends through <paramref name="leader"/> and waits for every node in <paramref name="followers"/> to apply it.</summary>
    internal static async Task<StreamPosition> AppendAsync(ClusterTestNode leader, StreamBatch batch, params ClusterTestNode[] followers)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        var position = await leader.Batches.AppendAsync(batch, timeout.Token);
        foreach (var follower in followers)
        {
            await follower.WaitAppliedAsync(position, timeout.Token);
        }
        return position;
    }

    /// <summary>Trades on three mints over a few minutes of block time, <paramref name="perBatch"/> to a batch, from tx <paramref name="first"/>.</summary>
    internal static List<StreamBatch> Trades(int first, int batches, int perBatch = 3)
    {
        var result = new List<StreamBatch>();
        int n = first;
        for (int b = 0; b < batches; b++)
        {
            var transactions = new List<IngestedTransaction>();
            for (int t = 0; t < perBatch; t++, n++)
            {
                ulong slot = (ulong)(1_000 + n);
                transactions.Add(new IngestedTransaction(Signature(n), slot, 0, BaseBlockTime + n * 7, Failed: false,
                    [BuySell(0, (ulong)(10 + n), (UInt128)(1_000_000 + n * 37), mint: 1 + n % 3)], []));
            }
            result.Add(StreamBatch.Of(transactions, CheckpointOf(transactions[^1])));
        }
        return result;
    }

    /// <summary>Everything a client can read of a node's data: events with their seqs, every candle row, the checkpoint.</summary>
    internal static string Dump(ClusterTestNode node) =>
        string.Join('\n', node.Store.Events.ReadEvents().Select(e => Describe(e) + " seq " + e.Seq)
            .Concat(node.Store.Candles.ReadAllCandles().Select(c => c.ToString()))
            .Append("checkpoint " + node.Store.Meta.ReadCheckpoint())
            .Append("position " + node.Store.Meta.Position));
}
