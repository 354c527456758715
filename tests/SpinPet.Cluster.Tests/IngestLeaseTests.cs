using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.KeyValueStore;
using SpinPet.Cluster.Lease;
using SpinPet.TestSupport;

namespace SpinPet.Cluster.Tests;

/// <summary>The ingest lease on a real nats-server (TTL 2 s): one holder, renewed; lost at once; taken over after expiry.</summary>
public sealed class IngestLeaseTests : ClusterTestBase
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task The_holder_keeps_renewing_and_a_polling_contender_never_gets_the_lease()
    {
        await using var a = await CandidateAsync("node-a");
        await Eventually.TrueAsync(() => a.Lease.IsHeld, Wait, "node-a takes the free lease");
        await using var b = await CandidateAsync("node-b");

        // Three TTLs: without renewals the key would have expired twice over.
        var clock = Stopwatch.StartNew();
        await Eventually.TrueAsync(() => clock.Elapsed > TimeSpan.FromSeconds(6) || !a.Lease.IsHeld || b.Lease.IsHeld, Wait, "three TTLs pass");

        Assert.True(a.Lease.IsHeld);
        Assert.False(b.Lease.IsHeld);
        Assert.Equal(0, b.Lease.Terms);
        Assert.Equal(1, a.Lease.Terms);
        Assert.Equal("node-a", await HolderAsync(a));
    }

    [Fact]
    public async Task A_holder_cut_off_from_the_server_stops_before_its_key_expires_and_a_standby_takes_over()
    {
        await using var a = await CandidateAsync("node-a");
        await Eventually.TrueAsync(() => a.Lease.IsHeld, Wait, "node-a takes the free lease");
        await using var b = await CandidateAsync("node-b");

        // Partitioned: its renewals fail from now on; the key expires one TTL after its last renewal.
        var cut = Stopwatch.StartNew();
        await a.Connection.DisposeAsync();
        await Eventually.TrueAsync(() => a.TermEnded is not null, Wait, "node-a's term ends");
        await Eventually.TrueAsync(() => b.Lease.IsHeld, Wait, "node-b takes the lease over");
        var takeover = cut.Elapsed;

        Assert.True(a.TermEnded < b.TermStarted, $"node-a stopped at {a.TermEnded} but node-b started at {b.TermStarted}");
        // A renewal is due every TTL/3: node-a stops within its TTL − 10 %, node-b takes over within TTL + its poll.
        Assert.True(takeover < TimeSpan.FromSeconds(2 + 2 / 3.0 + 0.2 + 2), $"took over after {takeover}");
        Assert.Equal("node-b", await HolderAsync(b));
    }

    [Fact]
    public async Task A_lost_server_stops_the_holders_term_within_the_ttl()
    {
        await using var a = await CandidateAsync("node-a");
        await Eventually.TrueAsync(() => a.Lease.IsHeld, Wait, "node-a takes the free lease");

        var killed = Stopwatch.StartNew();
        await Server.StopAsync(kill: true);
        await Eventually.TrueAsync(() => a.TermEnded is not null, Wait, "node-a's term ends");

        Assert.True(killed.Elapsed < TimeSpan.FromSeconds(2), $"the term ended {killed.Elapsed} after the server died");
        // The flag follows the term's token (it clears in the term's finally, just after the token fired).
        await Eventually.TrueAsync(() => !a.Lease.IsHeld, Wait, "node-a no longer says it holds the lease");
        await Server.StartAgainAsync();
        await Eventually.TrueAsync(() => a.Lease.IsHeld, Wait, "node-a takes the lease again once the server is back");
        Assert.Equal(2, a.Lease.Terms);
    }

    [Fact]
    public async Task A_holder_that_stops_releases_the_lease_and_a_standby_takes_it_without_waiting_the_ttl()
    {
        var a = await CandidateAsync("node-a");
        await Eventually.TrueAsync(() => a.Lease.IsHeld, Wait, "node-a takes the free lease");
        await using var b = await CandidateAsync("node-b");

        var stopped = Stopwatch.StartNew();
        await a.DisposeAsync();
        await Eventually.TrueAsync(() => b.Lease.IsHeld, Wait, "node-b takes the lease");

        Assert.True(stopped.Elapsed < TimeSpan.FromSeconds(1.5), $"took over after {stopped.Elapsed}");
    }

    private async Task<Candidate> CandidateAsync(string node)
    {
        var settings = ClusterTestNode.SettingsFor(Server.Url, "SPINPET", node);
        var connection = new NatsConnection(settings.ConnectionOptions(NullLoggerFactory.Instance));
        await connection.ConnectAsync();
        var lease = new IngestLease(new NatsKVContext(new NatsJSContext(connection)), settings, NullLogger<IngestLease>.Instance);
        return new Candidate(connection, lease);
    }

    private static async Task<string> HolderAsync(Candidate candidate)
    {
        var kv = await new NatsKVContext(new NatsJSContext(candidate.Connection)).GetStoreAsync("SPINPET_lease", Ct);
        return (await kv.GetEntryAsync<string>(ClusterSettings.LeaseKey, cancellationToken: Ct)).Value!;
    }

    /// <summary>A candidate running the lease with a term that records when it started and when its token was cancelled.</summary>
    private sealed class Candidate : IAsyncDisposable
    {
        private static readonly Stopwatch Clock = Stopwatch.StartNew();
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _running;

        public Candidate(NatsConnection connection, IngestLease lease)
        {
            Connection = connection;
            Lease = lease;
            _running = lease.RunAsync(RunTermAsync, _stop.Token);
        }

        public NatsConnection Connection { get; }

        public IngestLease Lease { get; }

        public TimeSpan? TermStarted { get; private set; }

        public TimeSpan? TermEnded { get; private set; }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _running;
            await Connection.DisposeAsync();
            _stop.Dispose();
        }

        private async Task RunTermAsync(CancellationToken term)
        {
            TermStarted = Clock.Elapsed;
            TermEnded = null;
            using var registration = term.Register(() => TermEnded ??= Clock.Elapsed);
            await Task.Delay(Timeout.Infinite, term);
        }
    }
}
