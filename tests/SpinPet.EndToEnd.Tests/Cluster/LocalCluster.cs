using System.Globalization;
using SpinPet.Core.Candles;
using SpinPet.EndToEnd.Tests.Harness;
using SpinPet.EndToEnd.Tests.Ingest;
using SpinPet.Storage;
using SpinPet.TestSupport;

namespace SpinPet.EndToEnd.Tests.Cluster;

/// <summary>
/// A cluster on loopback (shared/spec/cluster.md): one chain simulator (the RPC node both ingest candidates follow, so
/// they see the same chain), one nats-server with JetStream on a temp store, two ingest candidates and three gateways,
/// each a real server process with its own RocksDB folder. Gateways are given an RPC address where nothing listens:
/// they must never need it.
/// </summary>
internal sealed class LocalCluster : IAsyncDisposable
{
    /// <summary>The lease TTL of the tests: short, so that a takeover is quick, and well above a loaded machine's hiccups.</summary>
    public static readonly TimeSpan LeaseTtl = TimeSpan.FromSeconds(2);

    public static readonly TimeSpan CatchUp = TimeSpan.FromSeconds(90);

    // Port 9 (discard) on loopback: nothing listens there, a connection is refused at once.
    private static readonly Uri NoRpc = new("http://127.0.0.1:9/");
    private static readonly Uri NoPubSub = new("ws://127.0.0.1:9/");


    private LocalCluster(ChainSimulator.ChainSimulator simulator) => Simulator = simulator;

    public ChainSimulator.ChainSimulator Simulator { get; }

    public NatsServer Nats { get; private set; } = null!;

    public string Stream { get; } = "SPINPET";

    public List<ClusterNode> Ingests { get; } = [];

    public List<ClusterNode> Gateways { get; } = [];

    public IEnumerable<ClusterNode> Nodes => Ingests.Concat(Gateways);

    /// <summary>
    /// Simulates a chain of <paramref name="transactions"/> (a day in the past: only the chain clock finalizes, so every
    /// node's candles are a function of the chain alone), starts NATS, then every node at once.
    /// </summary>
    public static async Task<LocalCluster> StartAsync(int seed, int transactions, int ingests = 2, int gateways = 3)
    {
        var simulator = await IngestExactlyOnceTests.StartSimulatorAsync(seed, IngestExactlyOnceTests.ADayAgo);
        var cluster = new LocalCluster(simulator);
        try
        {
            simulator.ProduceTransactions(transactions);
            cluster.Nats = await NatsServer.StartAsync();
            for (int i = 1; i <= ingests; i++)
            {
                cluster.Ingests.Add(new ClusterNode($"ingest-{i}", "ingest", cluster.SettingsFor));
            }
            for (int i = 1; i <= gateways; i++)
            {
                cluster.Gateways.Add(new ClusterNode($"gateway-{i}", "gateway", cluster.SettingsFor));
            }
            await Task.WhenAll(cluster.Nodes.Select(node => node.StartAsync()));
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    public ClusterNode Node(string name) => Nodes.Single(node => node.Name == name);

    /// <summary>What a node of this cluster is configured with, as an operator would: SPIN_ environment variables.</summary>
    private Dictionary<string, string> SettingsFor(ClusterNode node)
    {
        bool ingest = node.Role == "ingest";
        var settings = ServerProcess.SettingsFor(ingest ? Simulator.RpcUri : NoRpc, ingest ? Simulator.WsUri : NoPubSub, node.Database.Path);
        foreach (var (key, value) in IngestExactlyOnceTests.OnlyTheChainClockFinalizes)
        {
            settings[key] = value;
        }
        settings["SPIN_CLUSTER__MODE"] = "nats";
        settings["SPIN_CLUSTER__ROLE"] = node.Role;
        settings["SPIN_CLUSTER__NATS_URL"] = Nats.Url;
        settings["SPIN_CLUSTER__STREAM"] = Stream;
        settings["SPIN_CLUSTER__NODE_ID"] = node.Name;
        settings["SPIN_CLUSTER__LEASE_TTL_MS"] = ((int)LeaseTtl.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
        return settings;
    }

    /// <summary>Waits until every running node has stored the chain's newest transaction (its checkpoint).</summary>
    public Task CaughtUpAsync() => CaughtUpAsync(Nodes);

    public async Task CaughtUpAsync(IEnumerable<ClusterNode> nodes)
    {
        string newest = LedgerAssert.NewestSignature(Simulator);
        try
        {
            await Task.WhenAll(nodes.Where(n => n.Server is not null).Select(n => n.Running.WaitForCheckpointAsync(newest, CatchUp)));
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}\n{await DescribeAsync()}", e);
        }
    }

    /// <summary>
    /// Waits for a quiet stream: every running node has applied the stream's last record, read again after the nodes.
    /// Caught up (<see cref="CaughtUpAsync()"/>) is not enough: the leader appends a finalizing clock after the chain's
    /// newest transaction, and may append it twice while its own store still applies the first (its schedule reads the
    /// applied state), so a node stopped at the checkpoint can be one batch short of another.
    /// </summary>
    public Task QuietAsync() => EventuallyAsync(async () =>
    {
        long last = await NatsAdmin.StreamLastSeqAsync(this);
        foreach (var node in Nodes.Where(n => n.Server is not null))
        {
            string metrics = await node.Running.Http.GetStringAsync("/metrics");
            if (Gauge(metrics, "spinpet_cluster_applied_seq", node.Name) != last || Gauge(metrics, "spinpet_cluster_stream_lag", node.Name) != 0)
            {
                return false;
            }
        }
        return last == await NatsAdmin.StreamLastSeqAsync(this);
    }, CatchUp, "every running node's metrics at the stream's end");

    /// <summary>The value of the gauge <paramref name="name"/> a node reports for itself in its /metrics text.</summary>
    public static long Gauge(string metrics, string name, string node)
    {
        var line = metrics.Split('\n').FirstOrDefault(l => l.StartsWith(name + "{", StringComparison.Ordinal) && l.Contains($"node_id=\"{node}\"", StringComparison.Ordinal))
            ?? throw new Xunit.Sdk.XunitException($"no {name} for {node} in /metrics:\n{metrics}");
        return long.Parse(line[(line.LastIndexOf('}') + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
    }

    /// <summary><see cref="Eventually.TrueAsync(Func{Task{bool}}, TimeSpan, string)"/>, with the cluster's state in the timeout's message.</summary>
    public async Task EventuallyAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        try
        {
            await Eventually.TrueAsync(condition, timeout, what);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}\n{await DescribeAsync()}", e);
        }
    }

    /// <summary>For a failure message: each running node's /health and the end of its log, and NATS' log.</summary>
    public async Task<string> DescribeAsync()
    {
        var text = new System.Text.StringBuilder();
        foreach (var node in Nodes)
        {
            text.Append(CultureInfo.InvariantCulture, $"--- {node}: ");
            if (node.Server is not { } server)
            {
                text.AppendLine("down");
                continue;
            }
            try
            {
                text.AppendLine(await server.Http.GetStringAsync("/health"));
            }
            catch (HttpRequestException e)
            {
                text.AppendLine(e.Message);
            }
            text.AppendLine(string.Join('\n', server.Output.Split('\n').TakeLast(25)));
        }
        text.AppendLine("--- nats-server").AppendLine(Nats.LogTail(15));
        return text.ToString();
    }

    /// <summary>Kills nats-server (SIGKILL) and runs <paramref name="whileDown"/> before starting it again on its store and port.</summary>
    public async Task RestartNatsAsync(Func<Task> whileDown)
    {
        await Nats.StopAsync(kill: true);
        await whileDown();
        await Nats.StartAgainAsync();
    }

    /// <summary>
    /// What the cluster guarantees once it has caught up (cluster.md, "Guarantees"): every running gateway serves the
    /// ledger's candles over REST and has never talked to the RPC node; then, every node stopped, every node's store
    /// (ingest candidates follow the stream too) holds the ledger's events exactly once in chain order, and all of them
    /// hold byte-identical candles at the same stream position.
    /// </summary>
    public async Task AssertEveryNodeHoldsTheLedgerAsync()
    {
        await CaughtUpAsync();
        await QuietAsync();
        foreach (var gateway in Gateways.Where(g => g.Server is not null))
        {
            await ServedCandles.EqualLedgerAsync(gateway.Running, Simulator);
            var rpc = (await gateway.Running.GetStatusAsync()).GetProperty("counters").GetProperty("rpc");
            Assert.True(rpc.EnumerateObject().All(counter => counter.Value.ValueKind != System.Text.Json.JsonValueKind.Number || counter.Value.GetInt64() == 0),
                $"{gateway.Name} talked to the RPC node: {rpc}");
        }
        await Task.WhenAll(Nodes.Select(node => node.StopAsync()));
        List<TopicCandle>? first = null;
        SpinPet.Core.Stream.StreamPosition? firstPosition = null;
        foreach (var node in Nodes)
        {
            LedgerAssert.StoreEqualsLedger(node.Database.Path, Simulator);
            using var store = SpinPetStore.Open(node.Database.Path);
            var candles = store.Candles.ReadAllCandles().ToList();
            var position = store.Meta.Position;
            if (first is null)
            {
                (first, firstPosition) = (candles, position);
                continue;
            }
            Assert.Equal(firstPosition, position);
            Assert.Equal(first, candles);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in Nodes)
        {
            await node.DisposeAsync();
        }
        if (Nats is not null)
        {
            await Nats.DisposeAsync();
        }
        await Simulator.DisposeAsync();
    }
}
