using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using SpinPet.ChainSimulator;
using SpinPet.EndToEnd.Tests.Harness;
using SpinPet.EndToEnd.Tests.Operations;
using SpinPet.Storage;
using SpinPet.TestSupport;

namespace SpinPet.EndToEnd.Tests.Ingest;

/// <summary>
/// The node's HTTP side fails (every request 503) while its PubSub socket stays up and trades go on. Notifications
/// then wait for block times the node will not give: they are on chain but unapplied, so the ingest is not caught
/// up, and the wall clock must not finalize the candles they belong to. Afterwards every candle equals the ledger's
/// and no event was skipped as late. The same for a socket that goes silent without closing: until the idle timeout
/// notices, it reads subscribed, so the wall clock may only be trusted up to the last slot notification heard.
/// </summary>
public sealed class HttpStormFinalizationTests
{
    private static readonly TimeSpan CatchUp = TimeSpan.FromSeconds(90);

    // Twice the default: a loaded test machine may hold a notification on its way for a second or two, which the
    // grace exists to absorb; the storm below outlasts it all the same.
    private const int GraceMs = 4000;

    [Fact]
    public async Task A_storm_of_http_errors_finalizes_no_candle_by_the_wall_clock_and_loses_no_trade()
    {
        // Block times are the wall clock, as on a real chain: the wall-clock finalizer is in play.
        await using var simulator = new ChainSimulator.ChainSimulator(new SimulatorOptions
        {
            Seed = 43,
            MintCount = 2,
            Clock = SimulatorClock.Wall,
            TransactionsPerBlock = 3,
        });
        await simulator.StartAsync(TestContext.Current.CancellationToken);
        simulator.ProduceTransactions(30);
        using var database = new TempFolder();
        var settings = ServerProcess.SettingsFor(simulator.RpcUri, simulator.WsUri, database.Path);
        settings["SPIN_KLINE__FINALIZE_GRACE_MS"] = GraceMs.ToString(CultureInfo.InvariantCulture);
        await using (var server = await ServerProcess.StartAsync(settings))
        {
            await server.WaitForCheckpointAsync(LedgerAssert.NewestSignature(simulator), CatchUp);
            long second = await StartStormWithinOneSecondAsync(simulator, server);

            // The storm lasts until the wall clock is well past that second's end plus the grace, with trades going on:
            // a finalizer that took the connected socket for "caught up" has closed the candle of that second by now.
            long stormEndMs = ((second + 1) * 1000) + GraceMs + 1500;
            await Eventually.TrueAsync(() =>
            {
                simulator.ProduceBlock();
                return DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() >= stormEndMs;
            }, TimeSpan.FromSeconds(30), "the storm outlasting the grace");
            var during = await server.GetStatusAsync();
            Assert.False(during.GetProperty("caught_up").GetBoolean(), "notifications wait for block times: not caught up");
            Assert.Equal(0, MetricsTests.Sample(await MetricsTests.ScrapeAsync(server), "spinpet_ingest_caught_up"));
            var health = await server.Http.GetFromJsonAsync<JsonElement>("/health", TestContext.Current.CancellationToken);
            Assert.Equal("degraded", health.GetProperty("checks").GetProperty("ingest").GetProperty("status").GetString());

            simulator.Faults.HttpErrorRate = 0;
            simulator.ProduceTransactions(30);
            await server.WaitForCheckpointAsync(LedgerAssert.NewestSignature(simulator), CatchUp);
            Assert.True(simulator.Stats.HttpErrorsInjected > 0, "the storm should have hit the server");
            await ServedCandles.EqualLedgerAsync(server, simulator);
            Assert.Equal(0, MetricsTests.Sample(await MetricsTests.ScrapeAsync(server), "spinpet_ingest_late_candle_events_total"));
            Assert.Equal(0, (await server.GetStatusAsync()).GetProperty("counters").GetProperty("late_transactions").GetInt64());
            await server.StopAsync();
        }
        LedgerAssert.StoreEqualsLedger(database.Path, simulator);
        using var store = SpinPetStore.Open(database.Path);
        Assert.Empty(store.Candles.ReadLateCandleEvents());
    }

    [Fact]
    public async Task A_socket_gone_silent_stops_the_wall_clock_at_the_last_slot_heard_until_the_gap_is_backfilled()
    {
        await using var simulator = new ChainSimulator.ChainSimulator(new SimulatorOptions
        {
            Seed = 44,
            MintCount = 2,
            Clock = SimulatorClock.Wall,
            TransactionsPerBlock = 3,
        });
        await simulator.StartAsync(TestContext.Current.CancellationToken);
        simulator.ProduceTransactions(30);
        using var database = new TempFolder();
        var settings = ServerProcess.SettingsFor(simulator.RpcUri, simulator.WsUri, database.Path);
        // The socket reads subscribed until the idle timeout notices the silence: longer than the grace here, as with
        // the defaults (30 s and 2 s).
        settings["SPIN_SOLANA__WS_IDLE_TIMEOUT_MS"] = "10000";
        settings["SPIN_KLINE__FINALIZE_GRACE_MS"] = "3000";
        await using (var server = await ServerProcess.StartAsync(settings))
        {
            await server.WaitForCheckpointAsync(LedgerAssert.NewestSignature(simulator), CatchUp);
            for (int attempt = 0; ; attempt++)
            {
                Assert.True(attempt < 10, "no wall second held a trade before the silence and another during it");
                await Eventually.TrueAsync(() => DateTimeOffset.UtcNow.Millisecond < 300, TimeSpan.FromSeconds(5), "the start of a wall second");
                var before = ProduceTrade(simulator, mint: null);
                await server.WaitForCheckpointAsync(LedgerAssert.NewestSignature(simulator), CatchUp);
                long accepted = simulator.Stats.WebSocketConnectionsAccepted;
                simulator.Faults.SilenceAllSockets();
                // Only the silent socket hears of this trade; the backfill after the reconnect must bring it, into a
                // candle the wall clock has not closed in the meantime.
                var during = ProduceTrade(simulator, before.Mint);
                await Eventually.TrueAsync(() =>
                {
                    simulator.ProduceBlock();
                    return simulator.Stats.WebSocketConnectionsAccepted > accepted && simulator.Stats.SubscriptionsActive > 0;
                }, TimeSpan.FromSeconds(60), "the silence noticed and the server subscribed again");
                await server.WaitForCheckpointAsync(LedgerAssert.NewestSignature(simulator), CatchUp);
                if (during.BlockTime == before.BlockTime)
                {
                    break;
                }
            }
            simulator.ProduceTransactions(30);
            await server.WaitForCheckpointAsync(LedgerAssert.NewestSignature(simulator), CatchUp);
            await ServedCandles.EqualLedgerAsync(server, simulator);
            Assert.Equal(0, MetricsTests.Sample(await MetricsTests.ScrapeAsync(server), "spinpet_ingest_late_candle_events_total"));
            await server.StopAsync();
        }
        LedgerAssert.StoreEqualsLedger(database.Path, simulator);
    }

    /// <summary>
    /// Within one wall second: a trade of a mint applied before the storm, then the storm, then another trade of that
    /// mint in the same second (its s1 candle is open, and only the queued trade can still change it). Tries again
    /// when the second ran out first. Returns the second.
    /// </summary>
    private static async Task<long> StartStormWithinOneSecondAsync(ChainSimulator.ChainSimulator simulator, ServerProcess server)
    {
        for (int attempt = 0; attempt < 10; attempt++)
        {
            await Eventually.TrueAsync(() => DateTimeOffset.UtcNow.Millisecond < 300, TimeSpan.FromSeconds(5), "the start of a wall second");
            var before = ProduceTrade(simulator, mint: null);
            await server.WaitForCheckpointAsync(LedgerAssert.NewestSignature(simulator), CatchUp);
            simulator.Faults.HttpErrorStatus = 503;
            simulator.Faults.HttpErrorRate = 1;
            var during = ProduceTrade(simulator, before.Mint);
            if (during.BlockTime == before.BlockTime)
            {
                return before.BlockTime;
            }
            // The second ended before the storm began: let the ingest catch up and try the next one.
            simulator.Faults.HttpErrorRate = 0;
            await server.WaitForCheckpointAsync(LedgerAssert.NewestSignature(simulator), CatchUp);
        }
        throw new InvalidOperationException("no wall second held a trade before the storm and another during it");
    }

    /// <summary>Produces blocks until one holds a priced trade (of <paramref name="mint"/> when given).</summary>
    private static (string Mint, long BlockTime) ProduceTrade(ChainSimulator.ChainSimulator simulator, string? mint)
    {
        while (true)
        {
            var block = simulator.ProduceBlock();
            var trade = block.Transactions.Where(t => !t.Failed).SelectMany(t => t.Events)
                .FirstOrDefault(e => e.Event.LatestPrice is not null && (mint is null || e.Event.MintAccount.ToString() == mint));
            if (trade is not null)
            {
                return (trade.Event.MintAccount.ToString(), block.BlockTime);
            }
        }
    }
}
