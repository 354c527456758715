using System.Diagnostics;
using SpinPet.EndToEnd.Tests.Harness;
using SpinPet.TestSupport;

namespace SpinPet.EndToEnd.Tests.Ingest;

/// <summary>
/// The server against a PubSub node that misbehaves (refuses the subscription, sends garbage, goes silent) or
/// outruns it: the ingest recovers by itself and the store still equals the ledger, nothing lost, nothing twice.
/// </summary>
public sealed class PubSubFaultTests
{
    private static readonly TimeSpan CatchUp = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Refused_logs_subscriptions_are_retried_until_one_succeeds_and_nothing_is_lost()
    {
        await using var simulator = await IngestExactlyOnceTests.StartSimulatorAsync(seed: 31);
        simulator.ProduceTransactions(200);
        simulator.Faults.RefuseLogsSubscribe(3);
        using var database = new TempFolder();
        // The chain keeps ticking (a slot every 400 ms), as a real one does: its slot notifications keep a socket
        // whose logs subscription was refused from ever going idle, so only ending that connection recovers.
        using var ticking = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var chain = simulator.RunAsync(transactionsPerSecond: 10, ticking.Token);
        await using (var server = await IngestExactlyOnceTests.StartServerAsync(simulator, database.Path))
        {
            await WaitSubscribedAsync(server);
            Assert.Equal(3, simulator.Stats.LogsSubscribesRefused);
            simulator.ProduceTransactions(300);
            await ticking.CancelAsync();
            await chain;
            await server.WaitForCheckpointAsync(LedgerAssert.NewestSignature(simulator), CatchUp);
            var refusals = Lines(server, "The node refused logsSubscribe");
            Assert.Equal(3, refusals.Count);
            Assert.Contains("subscription limit reached", refusals[0], StringComparison.Ordinal);
            Assert.All(refusals, line => Assert.Contains("warn", line, StringComparison.Ordinal));
            await server.StopAsync();
        }
        LedgerAssert.StoreEqualsLedger(database.Path, simulator);
    }

    [Fact]
    public async Task Garbage_from_the_node_is_logged_as_warnings_and_ingest_carries_on()
    {
        await using var simulator = await IngestExactlyOnceTests.StartSimulatorAsync(seed: 32);
        simulator.ProduceTransactions(200);
        using var database = new TempFolder();
        await using (var server = await IngestExactlyOnceTests.StartServerAsync(simulator, database.Path))
        {
            await WaitSubscribedAsync(server);
            simulator.Faults.SendGarbage();
            // Two logs notifications on the real subscription whose signature is not one (not base58; 32 bytes).
            simulator.Faults.SendBadSignatureNotifications();
            simulator.ProduceTransactions(300);
            await server.WaitForCheckpointAsync(LedgerAssert.NewestSignature(simulator), CatchUp);

            // One frame of each kind was sent: one warning line each, naming the kind and showing the frame.
            string[] kinds = ["NotJson", "Malformed", "UnknownSubscription", "UnknownMethod", "Oversize", "BinaryFrame"];
            await Eventually.TrueAsync(() => kinds.Append("BadSignature").All(kind => Lines(server, $"Ignored bad PubSub input ({kind})").Count > 0),
                TimeSpan.FromSeconds(10), "a warning for each kind of garbage");
            foreach (var kind in kinds)
            {
                var line = Assert.Single(Lines(server, $"Ignored bad PubSub input ({kind})"));
                Assert.Contains("warn", line, StringComparison.Ordinal);
            }
            Assert.Contains("this is not JSON", Assert.Single(Lines(server, "(NotJson)")), StringComparison.Ordinal);
            Assert.Contains("blockNotification", Assert.Single(Lines(server, "(UnknownMethod)")), StringComparison.Ordinal);
            // The bad signatures arrive together, so the second is usually counted without a line of its own (at most
            // one line per kind per second); the first is always logged.
            var badSignature = Lines(server, "Ignored bad PubSub input (BadSignature)")[0];
            Assert.Contains("warn", badSignature, StringComparison.Ordinal);
            Assert.Contains("0OIl-not-base58-signature", badSignature, StringComparison.Ordinal);
            // The reader stayed on its socket: garbage is skipped, not a reason to reconnect.
            var pubSub = (await server.GetStatusAsync()).GetProperty("counters").GetProperty("pub_sub");
            Assert.Equal(1, pubSub.GetProperty("connects").GetInt64());
            Assert.Equal(5 + 2, pubSub.GetProperty("garbage").GetInt64());
            Assert.Equal(1, pubSub.GetProperty("oversize").GetInt64());
            await server.StopAsync();
        }
        LedgerAssert.StoreEqualsLedger(database.Path, simulator);
    }

    [Fact]
    public async Task A_socket_that_goes_silent_is_abandoned_within_the_idle_timeout_and_nothing_is_lost()
    {
        await using var simulator = await IngestExactlyOnceTests.StartSimulatorAsync(seed: 33);
        simulator.ProduceTransactions(200);
        using var database = new TempFolder();
        var settings = ServerProcess.SettingsFor(simulator.RpcUri, simulator.WsUri, database.Path);
        var idleTimeout = TimeSpan.FromMilliseconds(int.Parse(settings["SPIN_SOLANA__WS_IDLE_TIMEOUT_MS"], System.Globalization.CultureInfo.InvariantCulture));
        await using (var server = await ServerProcess.StartAsync(settings))
        {
            await WaitSubscribedAsync(server);
            long accepted = simulator.Stats.WebSocketConnectionsAccepted;
            var clock = Stopwatch.StartNew();
            simulator.Faults.SilenceAllSockets();
            // These reach only the silent socket: the backfill after the reconnect must bring them.
            simulator.ProduceTransactions(300);

            await Eventually.TrueAsync(() => simulator.Stats.WebSocketConnectionsAccepted > accepted, TimeSpan.FromSeconds(60), "a new connection");
            var reconnectedAfter = clock.Elapsed;
            // Dead after the idle timeout (no frame; pings unanswered), then the first back-off step (≤ 250 ms) and a
            // loopback connect. Twice the idle timeout leaves room for a loaded machine; a client that trusted the
            // open TCP connection would never reconnect.
            Assert.True(reconnectedAfter < idleTimeout * 2, $"reconnected {reconnectedAfter.TotalMilliseconds:0} ms after the socket went silent");
            await server.WaitForCheckpointAsync(LedgerAssert.NewestSignature(simulator), CatchUp);
            simulator.ProduceTransactions(200);
            await server.WaitForCheckpointAsync(LedgerAssert.NewestSignature(simulator), CatchUp);
            Assert.NotEmpty(Lines(server, "PubSub connection lost"));
            await server.StopAsync();
        }
        LedgerAssert.StoreEqualsLedger(database.Path, simulator);
    }

    [Fact]
    public async Task A_live_queue_overflow_drops_notifications_and_the_resync_recovers_every_one()
    {
        await using var simulator = await IngestExactlyOnceTests.StartSimulatorAsync(seed: 34);
        simulator.ProduceTransactions(100);
        using var database = new TempFolder();
        var settings = ServerProcess.SettingsFor(simulator.RpcUri, simulator.WsUri, database.Path);
        // The smallest queue allowed: a burst of notifications overflows it while the applier waits on the node.
        settings["SPIN_SOLANA__LIVE_QUEUE_CAPACITY"] = "16";
        await using (var server = await ServerProcess.StartAsync(settings))
        {
            await WaitSubscribedAsync(server);
            long resyncsBefore = (await server.GetStatusAsync()).GetProperty("counters").GetProperty("resyncs").GetInt64();
            for (int burst = 0; burst < 3; burst++)
            {
                simulator.ProduceTransactions(1000);
                await server.WaitForCheckpointAsync(LedgerAssert.NewestSignature(simulator), CatchUp);
            }
            var status = await server.GetStatusAsync();
            var pubSub = status.GetProperty("counters").GetProperty("pub_sub");
            Assert.True(pubSub.GetProperty("dropped").GetInt64() > 0, "the bursts should have overflowed the queue");
            Assert.True(status.GetProperty("counters").GetProperty("resyncs").GetInt64() > resyncsBefore, "an overflow is answered with a resync");
            Assert.Equal(1, pubSub.GetProperty("connects").GetInt64());
            Assert.NotEmpty(Lines(server, "The live queue is full"));
            await server.StopAsync();
        }
        LedgerAssert.StoreEqualsLedger(database.Path, simulator);
    }

    [Fact]
    public async Task Notifications_right_behind_a_new_subscription_wait_for_the_backfill_of_the_gap()
    {
        await using var simulator = await IngestExactlyOnceTests.StartSimulatorAsync(seed: 35);
        simulator.ProduceTransactions(200);
        using var database = new TempFolder();
        await using (var server = await IngestExactlyOnceTests.StartServerAsync(simulator, database.Path))
        {
            await WaitSubscribedAsync(server);
            // Five drops: the back-off grows across connections shorter than 60 s (≤ 0.25, 0.5, 1, 2, 4 s).
            for (int drop = 0; drop < 5; drop++)
            {
                await Eventually.TrueAsync(async () => (await server.GetStatusAsync()).GetProperty("caught_up").GetBoolean(), CatchUp, "caught up before the drop");
                simulator.Faults.DropAllSockets();
                await Eventually.TrueAsync(() => simulator.Stats.SubscriptionsActive == 0, TimeSpan.FromSeconds(10), "the old subscriptions gone");
                // The gap: only the backfill that follows the new subscription can bring these.
                simulator.ProduceTransactions(50);
                // A burst the moment the new logs subscription exists: its notifications arrive right behind the
                // confirmation, while the applier wakes up for it. Applied before the backfill, they would move the
                // checkpoint past the gap, and the backfill (which lists only what is newer) would never see it.
                Assert.True(SpinWait.SpinUntil(() => simulator.Stats.SubscriptionsActive > 0, TimeSpan.FromSeconds(60)), "the server resubscribed");
                simulator.ProduceTransactions(300);
            }
            await server.WaitForCheckpointAsync(LedgerAssert.NewestSignature(simulator), CatchUp);
            await server.StopAsync();
        }
        LedgerAssert.StoreEqualsLedger(database.Path, simulator);
    }

    private static Task WaitSubscribedAsync(ServerProcess server) =>
        Eventually.TrueAsync(async () =>
        {
            if (server.HasExited)
            {
                throw new InvalidOperationException("the server exited:\n" + server.Output);
            }
            var status = await server.GetStatusAsync();
            return status.GetProperty("connection_status").GetString() == "subscribed" && !status.GetProperty("backfill").GetProperty("pending").GetBoolean();
        }, CatchUp, "subscribed and the start-up backfill done");

    private static List<string> Lines(ServerProcess server, string containing) =>
        [.. server.Output.Split('\n').Where(line => line.Contains(containing, StringComparison.Ordinal))];
}
