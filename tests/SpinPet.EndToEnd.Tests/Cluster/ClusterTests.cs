using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using SpinPet.EndToEnd.Tests.Harness;
using SpinPet.EndToEnd.Tests.Ingest;
using SpinPet.EndToEnd.Tests.WebSockets;
using SpinPet.TestSupport;

namespace SpinPet.EndToEnd.Tests.Cluster;

/// <summary>
/// shared/spec/cluster.md on loopback: 2 ingest candidates and 3 gateways over Debian's nats-server, the chain simulator
/// as the one RPC node (<see cref="LocalCluster"/>). Each test ends with <see cref="LocalCluster.AssertEveryNodeHoldsTheLedgerAsync"/>:
/// every gateway serves and stores the ledger's events and candles exactly once, byte-identical on every gateway at the
/// same stream position, whatever the test did to the cluster; the first test also runs one single-mode process over
/// the same chain and compares what it serves with every gateway, byte for byte. An old leader that lost its lease: paused here
/// (SIGSTOP) as a partition, and in tests/SpinPet.Cluster.Tests against nats-server (PublishTests: a former leader
/// cannot append after another did; IngestLeaseTests: a holder cut off from the server stops before its key expires).
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ClusterTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Every_gateway_serves_the_ledger_identically_and_never_talks_to_the_rpc_node()
    {
        await using var cluster = await LocalCluster.StartAsync(seed: 71, transactions: 600);
        await cluster.CaughtUpAsync();
        var leader = await LeaderAsync(cluster);
        // Live too: the leader follows the chain as it grows.
        for (int round = 0; round < 3; round++)
        {
            cluster.Simulator.ProduceTransactions(100);
            await cluster.CaughtUpAsync();
        }
        foreach (var gateway in cluster.Gateways)
        {
            using var health = await gateway.Running.Http.GetAsync("/health", TestContext.Current.CancellationToken);
            Assert.True(health.IsSuccessStatusCode, $"{gateway.Name} is caught up but not ready: {await health.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)}");
        }
        Assert.Equal(leader, await NatsAdmin.LeaseHolderAsync(cluster));

        // The cluster's figures (docs/cluster.md, "Metrics to watch"): one leader, every node at the stream's end.
        foreach (var node in cluster.Nodes)
        {
            string metrics = await node.Running.Http.GetStringAsync("/metrics", TestContext.Current.CancellationToken);
            Assert.Equal(node.Name == leader ? 1 : 0, LocalCluster.Gauge(metrics, "spinpet_cluster_is_leader", node.Name));
        }
        await cluster.QuietAsync();

        // (a) literally: one process in single mode over the same chain serves the same candles and events, byte for
        // byte, as every gateway (its finalizing clock runs on its own, so the candles are compared once both are quiet).
        await AssertASingleProcessServesWhatEveryGatewayServesAsync(cluster);
        await cluster.AssertEveryNodeHoldsTheLedgerAsync();
    }

    private static async Task AssertASingleProcessServesWhatEveryGatewayServesAsync(LocalCluster cluster)
    {
        using var database = new TempFolder();
        var settings = ServerProcess.SettingsFor(cluster.Simulator.RpcUri, cluster.Simulator.WsUri, database.Path);
        foreach (var (key, value) in IngestExactlyOnceTests.OnlyTheChainClockFinalizes)
        {
            settings[key] = value;
        }
        await using var single = await ServerProcess.StartAsync(settings);
        await single.WaitForCheckpointAsync(LedgerAssert.NewestSignature(cluster.Simulator), LocalCluster.CatchUp);
        var mints = ReferenceCandles.Mints(cluster.Simulator.ExpectedEvents());
        Assert.NotEmpty(mints);
        foreach (var gateway in cluster.Gateways)
        {
            foreach (string mint in mints)
            {
                foreach (string interval in (string[])["s1", "s30", "m5"])
                {
                    await cluster.EventuallyAsync(async () =>
                        Texts(await ServedCandles.WalkBackAsync(single, mint, interval)).SequenceEqual(Texts(await ServedCandles.WalkBackAsync(gateway.Running, mint, interval))),
                        Wait, $"{gateway.Name} serves the single process's {mint} {interval} candles");
                }
                string url = $"/api/events?mint={mint}&limit=1000&order_by=slot_asc";
                string fromSingle = (await single.Http.GetFromJsonAsync<JsonElement>(url, TestContext.Current.CancellationToken)).GetProperty("data").GetRawText();
                string fromGateway = (await gateway.Running.Http.GetFromJsonAsync<JsonElement>(url, TestContext.Current.CancellationToken)).GetProperty("data").GetRawText();
                Assert.Equal(fromSingle, fromGateway);
            }
        }
    }

    private static IEnumerable<string> Texts(IEnumerable<JsonElement> elements) => elements.Select(static e => e.GetRawText());

    /// <summary>The value of a Prometheus gauge with the tag node_id="<paramref name="node"/>".</summary>
    [Fact]
    public async Task The_leader_killed_mid_stream_is_replaced_by_the_standby_within_the_lease_ttl_losing_and_duplicating_nothing()
    {
        await using var cluster = await LocalCluster.StartAsync(seed: 72, transactions: 500);
        await cluster.CaughtUpAsync();
        var leader = cluster.Node(await LeaderAsync(cluster));
        var standby = cluster.Ingests.Single(node => node != leader);

        // The chain keeps moving through the kill.
        await using (new BackgroundTrading(cluster.Simulator))
        {
            // Mid-stream: the leader has published batches of the live chain before it dies.
            long before = await NatsAdmin.StreamLastSeqAsync(cluster);
            await cluster.EventuallyAsync(async () => await NatsAdmin.StreamLastSeqAsync(cluster) > before + 5, Wait, "the leader publishes the live chain");
            var clock = Stopwatch.StartNew();
            await leader.KillAsync();
            await cluster.EventuallyAsync(async () => await NatsAdmin.LeaseHolderAsync(cluster) == standby.Name, Wait, $"{standby.Name} takes the lease");
            var takeover = clock.Elapsed;
            long atTakeover = await NatsAdmin.StreamLastSeqAsync(cluster);
            await cluster.EventuallyAsync(async () => await NatsAdmin.StreamLastSeqAsync(cluster) > atTakeover, Wait, $"{standby.Name} publishes");
            TestContext.Current.TestOutputHelper?.WriteLine($"lease taken over {takeover.TotalMilliseconds:0} ms after the kill (TTL {LocalCluster.LeaseTtl.TotalMilliseconds:0} ms)");
            // The key expires at most a TTL after the killed leader's last renewal; a standby polls for it. A loaded
            // 2-core machine gets one more TTL of slack.
            Assert.True(takeover < 2 * LocalCluster.LeaseTtl, $"takeover after {takeover.TotalMilliseconds:0} ms");
        }
        // The old leader comes back as a standby, and the cluster goes on.
        await leader.StartAsync();
        cluster.Simulator.ProduceTransactions(100);
        await cluster.CaughtUpAsync();
        Assert.Equal(standby.Name, await NatsAdmin.LeaseHolderAsync(cluster));
        await cluster.AssertEveryNodeHoldsTheLedgerAsync();
    }

    [Fact]
    public async Task A_paused_leader_loses_its_lease_and_when_it_wakes_up_it_appends_nothing()
    {
        await using var cluster = await LocalCluster.StartAsync(seed: 76, transactions: 400);
        await cluster.CaughtUpAsync();
        var leader = cluster.Node(await LeaderAsync(cluster));
        var standby = cluster.Ingests.Single(node => node != leader);

        await using (new BackgroundTrading(cluster.Simulator))
        {
            long before = await NatsAdmin.StreamLastSeqAsync(cluster);
            await cluster.EventuallyAsync(async () => await NatsAdmin.StreamLastSeqAsync(cluster) > before + 5, Wait, "the leader publishes the live chain");
            // SIGSTOP: to the others a partition (its connection stays open, nothing answers). It stops mid-stream, with
            // batches of its own in flight or about to be, and its renewals stop.
            leader.Pause();
            try
            {
                await cluster.EventuallyAsync(async () => await NatsAdmin.LeaseHolderAsync(cluster) == standby.Name, Wait, $"{standby.Name} takes the lease");
                long atTakeover = await NatsAdmin.StreamLastSeqAsync(cluster);
                await cluster.EventuallyAsync(async () => await NatsAdmin.StreamLastSeqAsync(cluster) > atTakeover, Wait, $"{standby.Name} publishes");
            }
            finally
            {
                leader.Resume();
            }
            // Awake, the old leader finds its term over (its deadline passed; whatever it publishes now is fenced) and
            // stands by, while the new leader goes on.
            await cluster.EventuallyAsync(async () => LocalCluster.Gauge(await leader.Running.Http.GetStringAsync("/metrics", TestContext.Current.CancellationToken),
                "spinpet_cluster_is_leader", leader.Name) == 0, Wait, $"{leader.Name} no longer leads");
            long afterWaking = await NatsAdmin.StreamLastSeqAsync(cluster);
            await cluster.EventuallyAsync(async () => await NatsAdmin.StreamLastSeqAsync(cluster) > afterWaking, Wait, $"{standby.Name} still publishes");
        }
        cluster.Simulator.ProduceTransactions(100);
        await cluster.CaughtUpAsync();
        Assert.Equal(standby.Name, await NatsAdmin.LeaseHolderAsync(cluster));
        // Nothing the old leader did after waking reached anyone twice or out of order.
        await cluster.AssertEveryNodeHoldsTheLedgerAsync();
    }

    [Fact]
    public async Task A_client_of_a_killed_gateway_resumes_on_another_and_the_restarted_gateway_catches_up()
    {
        await using var cluster = await LocalCluster.StartAsync(seed: 73, transactions: 500);
        await cluster.CaughtUpAsync();
        var (a, b) = (cluster.Gateways[0], cluster.Gateways[1]);
        string mint = ReferenceCandles.Mints(cluster.Simulator.ExpectedEvents())[0];

        var onA = await ResumingClient.StartAsync(a.Running.BaseUri, mint, "s30");
        cluster.Simulator.ProduceTransactions(150);
        await cluster.CaughtUpAsync();
        await cluster.EventuallyAsync(async () => onA.Holds(await KlineSocketLiveTests.ReadAllAsync(a.Running, mint, "s30")), Wait, "the client on A holds A's candles");

        // A dies; the chain goes on; the client comes back on B with the position it had on A.
        await a.KillAsync();
        await onA.DisposeAsync();
        cluster.Simulator.ProduceTransactions(200);
        await cluster.CaughtUpAsync();
        await using var onB = await ResumingClient.ResumeAsync(b.Running.BaseUri, onA);
        var snapshot = onB.Log[0].Data;
        Assert.Equal("history_data", onB.Log[0].Type);
        Assert.True(snapshot.GetProperty("recovered").GetBoolean(), $"moving from A to B was not recovered: {snapshot}");
        Assert.Equal(onA.Position.Epoch, snapshot.GetProperty("epoch").GetString());
        Assert.True(snapshot.GetProperty("seq").GetInt64() > onA.Position.Seq, "the stream moved on while A was down");
        await cluster.EventuallyAsync(async () => onB.Holds(await KlineSocketLiveTests.ReadAllAsync(b.Running, mint, "s30")), Wait,
            "the resumed client's candles equal B's stored candles");

        // A restarts on its store, catches up from its stored position, and serves the same: a client moving back
        // from B resumes there too.
        await a.StartAsync();
        cluster.Simulator.ProduceTransactions(100);
        await cluster.CaughtUpAsync();
        await cluster.EventuallyAsync(async () => onB.Holds(await KlineSocketLiveTests.ReadAllAsync(b.Running, mint, "s30")), Wait, "B's client follows B");
        await using var backOnA = await ResumingClient.ResumeAsync(a.Running.BaseUri, onB);
        Assert.True(backOnA.Log[0].Data.GetProperty("recovered").GetBoolean(), $"moving back to A was not recovered: {backOnA.Log[0].Data}");
        await cluster.EventuallyAsync(async () => backOnA.Holds(await KlineSocketLiveTests.ReadAllAsync(a.Running, mint, "s30")), Wait,
            "the client back on A holds A's stored candles");
        await cluster.AssertEveryNodeHoldsTheLedgerAsync();
    }

    [Fact]
    public async Task Nats_killed_and_restarted_on_its_store_stalls_the_cluster_and_loses_nothing()
    {
        await using var cluster = await LocalCluster.StartAsync(seed: 74, transactions: 400);
        await cluster.CaughtUpAsync();
        string mint = ReferenceCandles.Mints(cluster.Simulator.ExpectedEvents())[0];
        var client = await ResumingClient.StartAsync(cluster.Gateways[0].Running.BaseUri, mint, "s1");
        var stored = await KlineSocketLiveTests.ReadAllAsync(cluster.Gateways[2].Running, mint, "s1");
        // Ready before the outage, as the load balancer's probe sees it.
        foreach (var gateway in cluster.Gateways)
        {
            await cluster.EventuallyAsync(async () => (await HealthAsync(gateway)).Contains("\"status\":\"healthy\"", StringComparison.Ordinal), Wait,
                $"{gateway.Name} is ready");
        }

        await cluster.RestartNatsAsync(async () =>
        {
            // The chain goes on while NATS is down; the gateways keep serving what they have and say they are stale.
            cluster.Simulator.ProduceTransactions(200);
            foreach (var gateway in cluster.Gateways)
            {
                await cluster.EventuallyAsync(async () => (await HealthAsync(gateway)).Contains("\"status\":\"degraded\"", StringComparison.Ordinal), Wait,
                    $"{gateway.Name} reports itself stale");
            }
            Assert.Equal(stored.Count, (await KlineSocketLiveTests.ReadAllAsync(cluster.Gateways[2].Running, mint, "s1")).Count);
        });

        // Everything resumes: the leader backfills from its checkpoint, the gateways follow, the epoch is the same.
        cluster.Simulator.ProduceTransactions(100);
        await cluster.CaughtUpAsync();
        await client.DisposeAsync();
        await using var resumed = await ResumingClient.ResumeAsync(cluster.Gateways[1].Running.BaseUri, client);
        Assert.True(resumed.Log[0].Data.GetProperty("recovered").GetBoolean(), $"a resume after the NATS restart was not recovered: {resumed.Log[0].Data}");
        await cluster.EventuallyAsync(async () => resumed.Holds(await KlineSocketLiveTests.ReadAllAsync(cluster.Gateways[1].Running, mint, "s1")), Wait,
            "the resumed client holds the stored candles");
        await cluster.AssertEveryNodeHoldsTheLedgerAsync();
    }

    [Fact]
    public async Task A_recreated_stream_is_a_new_epoch_and_a_client_resuming_from_the_old_one_is_not_recovered()
    {
        await using var cluster = await LocalCluster.StartAsync(seed: 75, transactions: 400);
        await cluster.CaughtUpAsync();
        string mint = ReferenceCandles.Mints(cluster.Simulator.ExpectedEvents())[0];
        var client = await ResumingClient.StartAsync(cluster.Gateways[0].Running.BaseUri, mint, "s30");
        string oldEpoch = client.Position.Epoch;
        await client.DisposeAsync();

        await NatsAdmin.DeleteStreamAsync(cluster);
        cluster.Simulator.ProduceTransactions(150);
        await cluster.CaughtUpAsync();

        // Every gateway moved to the new stream's epoch (a fresh subscription shows it) ...
        foreach (var gateway in cluster.Gateways)
        {
            await cluster.EventuallyAsync(async () =>
            {
                await using var fresh = await ResumingClient.StartAsync(gateway.Running.BaseUri, mint, "s30");
                return fresh.Position.Epoch != oldEpoch;
            }, Wait, $"{gateway.Name} is in the new epoch");
        }
        // ... so a position in the old one cannot be resumed: the ordinary snapshot, and the live stream after it.
        await using var resumed = await ResumingClient.ResumeAsync(cluster.Gateways[1].Running.BaseUri, client);
        var snapshot = resumed.Log[0].Data;
        Assert.False(snapshot.GetProperty("recovered").GetBoolean(), $"a resume from the deleted stream's epoch was recovered: {snapshot}");
        Assert.False(resumed.Log[1].Data.GetProperty("recovered").GetBoolean());
        Assert.NotEqual(oldEpoch, snapshot.GetProperty("epoch").GetString());
        cluster.Simulator.ProduceTransactions(100);
        await cluster.CaughtUpAsync();
        await cluster.EventuallyAsync(async () => resumed.Holds(await KlineSocketLiveTests.ReadAllAsync(cluster.Gateways[1].Running, mint, "s30")), Wait,
            "the client holds the stored candles after the ordinary snapshot");
        await cluster.AssertEveryNodeHoldsTheLedgerAsync();
    }

    /// <summary>Waits until an ingest candidate holds the lease; returns its name.</summary>
    private static async Task<string> LeaderAsync(LocalCluster cluster)
    {
        string? holder = null;
        await cluster.EventuallyAsync(async () =>
        {
            holder = await NatsAdmin.LeaseHolderAsync(cluster);
            return holder is not null;
        }, Wait, "an ingest candidate holds the lease");
        Assert.Contains(holder, cluster.Ingests.Select(node => node.Name));
        return holder!;
    }

    private static async Task<string> HealthAsync(ClusterNode node)
    {
        using var response = await node.Running.Http.GetAsync("/health", TestContext.Current.CancellationToken);
        return await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
    }
}
