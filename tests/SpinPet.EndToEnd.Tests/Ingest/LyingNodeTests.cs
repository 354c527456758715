using System.Net;
using SpinPet.EndToEnd.Tests.Harness;
using SpinPet.EndToEnd.Tests.Operations;
using SpinPet.TestSupport;

namespace SpinPet.EndToEnd.Tests.Ingest;

/// <summary>
/// A node whose answers are well-formed but wrong (block times from a broken clock) or incomplete (a transaction
/// without its logs or meta, another transaction's answer, a notification without logs): nothing of it is stored;
/// it is counted, logged and asked again, and once the node answers properly the store equals the ledger.
/// </summary>
public sealed class LyingNodeTests
{
    private static readonly TimeSpan CatchUp = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Block_times_far_ahead_or_out_of_range_are_never_stored_and_the_chain_resumes_with_the_true_ones()
    {
        await using var simulator = await IngestExactlyOnceTests.StartSimulatorAsync(seed: 71, IngestExactlyOnceTests.ADayAgo);
        simulator.ProduceTransactions(300);
        using var database = new TempFolder();
        await using (var server = await IngestExactlyOnceTests.StartServerAsync(simulator, database.Path, QuietSocket(IngestExactlyOnceTests.OnlyTheChainClockFinalizes)))
        {
            await server.WaitForCheckpointAsync(LedgerAssert.NewestSignature(simulator), CatchUp);
            // Caught up: no backfill runs, so the first lie meets the live path (getBlockTime) before a backfill.
            await WaitCaughtUpAsync(server);
            string stored = LedgerAssert.NewestSignature(simulator);
            // A year ahead (a chain clock that would finalize everything and freeze the mints' charts), the largest
            // time there is (past RFC 3339's year 9999), and one before 1970; each with trades going on.
            long[] lies = [DateTimeOffset.UtcNow.AddYears(1).ToUnixTimeSeconds(), long.MaxValue, -5];
            for (int i = 0; i < lies.Length; i++)
            {
                long garbage = RpcGarbage(await server.GetStatusAsync());
                long errors = (await server.GetStatusAsync()).GetProperty("counters").GetProperty("ingest_errors").GetInt64();
                simulator.Faults.BlockTimeOverride = lies[i];
                simulator.ProduceTransactions(60);
                // Refused (counted as garbage) and asked again. The first lie lasts until the client gave up twice: on
                // getBlockTime for the live notifications, then on getTransaction in the backfill of the resync.
                int failures = i == 0 ? 2 : 0;
                await Eventually.TrueAsync(async () =>
                {
                    var status = await server.GetStatusAsync();
                    return RpcGarbage(status) > garbage && status.GetProperty("counters").GetProperty("ingest_errors").GetInt64() >= errors + failures;
                }, CatchUp, $"block time {lies[i]} refused");
                Assert.Equal(stored, (await server.GetStatusAsync()).GetProperty("last_processed_signature").GetString());
            }
            Assert.Contains("getBlockTime: unusable answer: block time", server.Output, StringComparison.Ordinal);
            Assert.Contains("getTransaction: unusable answer: block time", server.Output, StringComparison.Ordinal);
            Assert.Contains("ahead of this server's clock", server.Output, StringComparison.Ordinal);

            simulator.Faults.BlockTimeOverride = null;
            simulator.ProduceTransactions(50);
            await server.WaitForCheckpointAsync(LedgerAssert.NewestSignature(simulator), CatchUp);
            await ServedCandles.EqualLedgerAsync(server, simulator);
            foreach (var mint in ReferenceCandles.Mints(simulator.ExpectedEvents()))
            {
                var events = await server.Http.GetAsync($"/api/events?mint={mint}&limit=100", TestContext.Current.CancellationToken);
                Assert.Equal(HttpStatusCode.OK, events.StatusCode);
            }
            Assert.Equal(0, MetricsTests.Sample(await MetricsTests.ScrapeAsync(server), "spinpet_ingest_late_candle_events_total"));
            await server.StopAsync();
        }
        LedgerAssert.StoreEqualsLedger(database.Path, simulator);
    }

    [Fact]
    public async Task Transactions_answered_without_logs_or_meta_and_notifications_without_logs_are_fetched_again_not_stored_empty()
    {
        await using var simulator = await IngestExactlyOnceTests.StartSimulatorAsync(seed: 72);
        simulator.ProduceTransactions(400);
        // Two answers in five: logMessages null, meta null, no transaction object, the slot off by one, another
        // transaction's answer, in turn. The backfill of the history and of every resync goes through them.
        simulator.Faults.IncompleteTransactionRate = 0.4;
        using var database = new TempFolder();
        await using (var server = await IngestExactlyOnceTests.StartServerAsync(simulator, database.Path, QuietSocket(new Dictionary<string, string>())))
        {
            await server.WaitForCheckpointAsync(LedgerAssert.NewestSignature(simulator), CatchUp);
            Assert.True(simulator.Stats.IncompleteTransactionAnswers >= 5, "every kind of incomplete answer should have been sent");
            await WaitCaughtUpAsync(server);
            long resyncs = (await server.GetStatusAsync()).GetProperty("counters").GetProperty("resyncs").GetInt64();

            // Live: one notification in five comes without its logs; only a resync's backfill can bring those.
            simulator.Faults.LogsNotificationsWithoutLogsRate = 0.2;
            for (int round = 0; round < 5; round++)
            {
                simulator.ProduceTransactions(40);
            }
            Assert.True(simulator.Stats.NotificationsWithoutLogs > 0, "notifications without logs should have been sent");
            simulator.Faults.LogsNotificationsWithoutLogsRate = 0;
            simulator.ProduceTransactions(20);
            await server.WaitForCheckpointAsync(LedgerAssert.NewestSignature(simulator), CatchUp);

            var status = await server.GetStatusAsync();
            Assert.True(RpcGarbage(status) >= 5, "incomplete answers should be counted as garbage");
            Assert.True(status.GetProperty("counters").GetProperty("resyncs").GetInt64() > resyncs, "a notification without logs is answered with a resync");
            Assert.True(status.GetProperty("counters").GetProperty("pub_sub").GetProperty("garbage").GetInt64() > 0, "and counted");
            Assert.Contains("RPC getTransaction: garbage from the node (unusable answer:", server.Output, StringComparison.Ordinal);
            await server.StopAsync();
        }
        LedgerAssert.StoreEqualsLedger(database.Path, simulator);
    }

    /// <summary>
    /// The harness's 3 s idle timeout reconnects (and resyncs) whenever the simulated chain pauses for 3 s; here the
    /// live path must meet the faults, so the socket may stay quiet for a minute.
    /// </summary>
    private static Dictionary<string, string> QuietSocket(IReadOnlyDictionary<string, string> settings) =>
        new(settings) { ["SPIN_SOLANA__WS_IDLE_TIMEOUT_MS"] = "60000" };

    private static Task WaitCaughtUpAsync(ServerProcess server) =>
        Eventually.TrueAsync(async () => (await server.GetStatusAsync()).GetProperty("caught_up").GetBoolean(), CatchUp, "caught up");

    private static long RpcGarbage(System.Text.Json.JsonElement status) =>
        status.GetProperty("counters").GetProperty("rpc").GetProperty("garbage").GetInt64();
}
