using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using SpinPet.Cluster.Lease;
using SpinPet.Cluster.Tests;
using SpinPet.Core.Stream;
using SpinPet.Server.Tests.Streaming;
using SpinPet.Solana.Ingest;
using SpinPet.TestSupport;
using static SpinPet.Storage.Tests.TestChain;

namespace SpinPet.Server.Tests.Cluster;

/// <summary>The host with <c>cluster.mode = "nats"</c> on a real nats-server: what each role starts, and readiness.</summary>
public sealed class ClusterHostTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);
    private readonly TempFolder _folder = new("spinpet-cluster-host");
    private NatsServer? _nats;

    public async ValueTask InitializeAsync() => _nats = await NatsServer.StartAsync();

    public async ValueTask DisposeAsync()
    {
        await _nats!.DisposeAsync();
        _folder.Dispose();
    }

    [Fact]
    public async Task A_gateway_is_not_ready_until_it_has_applied_the_stream_and_never_runs_the_ingest()
    {
        await using var gateway = await StartAsync("gateway", "gateway");
        using var http = new HttpClient { BaseAddress = BaseAddress(gateway) };
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await http.GetAsync("/health", Ct)).StatusCode);

        // An ingest leader elsewhere publishes three batches.
        await using var leader = ClusterTestNode.Open(Path.Combine(_folder.Path, "leader"), ClusterTestNode.SettingsFor(_nats!.Url, "SPINPET", "leader"));
        StreamPosition last = default;
        for (int n = 1; n <= 3; n++)
        {
            var trade = Transaction(n, (ulong)(100 + n), 0, BuySell(0, 10, (UInt128)(1_000 + n)));
            last = await leader.Batches.AppendAsync(StreamBatch.Of([trade], CheckpointOf(trade)), Ct);
        }

        await Eventually.TrueAsync(async () => (await http.GetAsync("/health", Ct)).StatusCode == HttpStatusCode.OK, Wait, "the gateway is ready");
        // Ready means within cluster.max_ready_lag (100) of the stream's end, so it may be ready a batch or two short
        // of the last one: it then applies the rest.
        var store = gateway.Services.GetRequiredService<SpinPet.Storage.SpinPetStore>();
        await Eventually.TrueAsync(() => store.Meta.Position == last, Wait, "the gateway applied the third batch");
        Assert.Equal(3, store.Events.ReadEvents().Count());
        Assert.DoesNotContain(gateway.Services.GetServices<IHostedService>(), s => s is IngestService);
        Assert.False(gateway.Services.GetRequiredService<IngestStatus>().IsRunning);
        Assert.False(gateway.Services.GetRequiredService<IngestLease>().IsHeld);
        Assert.Contains("spinpet_cluster_applied_seq", await http.GetStringAsync("/metrics", Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_all_node_takes_the_lease_creates_the_stream_and_is_ready()
    {
        await using var node = await StartAsync("all", "node-1");
        using var http = new HttpClient { BaseAddress = BaseAddress(node) };

        var lease = node.Services.GetRequiredService<IngestLease>();
        await Eventually.TrueAsync(() => lease.IsHeld, Wait, "the node takes the lease");
        await Eventually.TrueAsync(async () => (await http.GetAsync("/health", Ct)).StatusCode == HttpStatusCode.OK, Wait, "the node is ready");

        var position = node.Services.GetRequiredService<SpinPet.Storage.SpinPetStore>().Meta.Position;
        Assert.StartsWith("SPINPET.", position.Epoch, StringComparison.Ordinal);
        Assert.Contains("ingest leader", await http.GetStringAsync("/health", Ct), StringComparison.Ordinal);
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private Task<WebApplication> StartAsync(string role, string node) =>
        InProcessServer.StartAsync(Path.Combine(_folder.Path, node), new Dictionary<string, string>
        {
            ["SPIN_CLUSTER__MODE"] = "nats",
            ["SPIN_CLUSTER__ROLE"] = role,
            ["SPIN_CLUSTER__NODE_ID"] = node,
            ["SPIN_CLUSTER__NATS_URL"] = _nats!.Url,
            ["SPIN_CLUSTER__LEASE_TTL_MS"] = "2000",
            ["SPIN_CLUSTER__MAX_READY_LAG"] = "0",
        });

    private static Uri BaseAddress(WebApplication app) =>
        new(app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First());
}
