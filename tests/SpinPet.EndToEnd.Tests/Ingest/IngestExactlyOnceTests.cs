using SpinPet.ChainSimulator;
using SpinPet.Core.Candles;
using SpinPet.EndToEnd.Tests.Harness;
using SpinPet.Storage;
using SpinPet.TestSupport;

namespace SpinPet.EndToEnd.Tests.Ingest;

/// <summary>
/// The server follows the simulator over real HTTP and WebSocket into RocksDB on disk; afterwards the store must
/// hold exactly the ledger's events (non-failed transactions, every event, chain order): none lost, none twice.
/// </summary>
public sealed class IngestExactlyOnceTests
{
    // A bound that catches a stall, not a speed check: the storm test alone takes ~60 s on a quiet 2-core machine and
    // went past 90 s beside the rest of the suite.
    private static readonly TimeSpan CatchUp = TimeSpan.FromSeconds(180);

    // The virtual chain starts a day ago and the grace is two days, so no candle turns final by the wall clock here:
    // only the chain clock finalizes, and the simulator's block times never go backwards, so no event can arrive for
    // a final candle and the served candles must equal the ledger's exactly. (Under the default clock and grace, a
    // year in the past and 2 s, a live event for the newest bucket after the finalizer ran is skipped by design,
    // candles.md, and recorded as late.) A chain a day ahead would do as well, were such block times not refused
    // (BlockTimeRule: at most 10 minutes ahead of the server's clock).
    internal static long ADayAgo => DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 86_400;

    /// <summary>The grace of the tests on <see cref="ADayAgo"/> chains: two days, the wall clock never finalizes.</summary>
    internal static readonly Dictionary<string, string> OnlyTheChainClockFinalizes = new()
    {
        ["SPIN_KLINE__FINALIZE_GRACE_MS"] = "172800000",
    };

    // The kill/restart test builds two more intervals and SOL volume: seeding after each kill covers them too.
    private static readonly string[] CandleIntervals = ["s1", "s30", "m1", "m5", "h1"];

    private static readonly Dictionary<string, string> ExtraCandleSettings = new(OnlyTheChainClockFinalizes)
    {
        ["SPIN_KLINE__INTERVALS__3"] = "m1",
        ["SPIN_KLINE__INTERVALS__4"] = "h1",
        ["SPIN_KLINE__VOLUME_UNIT"] = "sol",
    };

    [Fact]
    public async Task Clean_run_stores_backfilled_history_and_live_stream_exactly_once()
    {
        await using var simulator = await StartSimulatorAsync(seed: 11, ADayAgo);
        simulator.ProduceTransactions(1500);
        using var database = new TempFolder();
        await using (var server = await StartServerAsync(simulator, database.Path, OnlyTheChainClockFinalizes))
        {
            await server.WaitForCheckpointAsync(LedgerAssert.NewestSignature(simulator), CatchUp);
            int backfilledBlocks = simulator.Blocks.Count;
            for (int round = 0; round < 10; round++)
            {
                simulator.ProduceTransactions(150);
            }
            await server.WaitForCheckpointAsync(LedgerAssert.NewestSignature(simulator), CatchUp);
            await ServedCandles.EqualLedgerAsync(server, simulator);
            await server.StopAsync();
            Assert.Equal(0, server.ExitCode);
            // Block times: backfilled transactions carry theirs; live ones cost one getBlockTime per slot at most,
            // however many transactions the slot holds.
            var liveSlots = simulator.Blocks.Skip(backfilledBlocks).Where(b => b.Transactions.Count > 0).Select(b => b.Slot).Distinct().Count();
            Assert.True(simulator.Blocks.Skip(backfilledBlocks).Sum(b => b.Transactions.Count) > liveSlots, "several transactions per slot");
            Assert.InRange(simulator.Stats.HttpRequestsFor("getBlockTime"), 1, liveSlots);
        }
        LedgerAssert.StoreEqualsLedger(database.Path, simulator);
    }

    private static long Garbage(System.Text.Json.JsonElement status) =>
        status.GetProperty("counters").GetProperty("pub_sub").GetProperty("garbage").GetInt64();

    [Fact]
    public async Task Socket_drops_and_refused_reconnects_lose_and_duplicate_nothing()
    {
        await using var simulator = await StartSimulatorAsync(seed: 12, ADayAgo);
        simulator.ProduceTransactions(500);
        using var database = new TempFolder();
        await using (var server = await StartServerAsync(simulator, database.Path, OnlyTheChainClockFinalizes))
        {
            for (int round = 0; round < 12; round++)
            {
                simulator.ProduceTransactions(100);
                if (round % 3 == 0)
                {
                    await DropAndAwaitReconnectAsync(simulator, () => simulator.ProduceTransactions(50));
                }
                if (round % 4 == 1)
                {
                    // Refuse every connection while the chain moves on: reconnects fail, then succeed.
                    simulator.Faults.RefuseConnections = true;
                    long refused = simulator.Stats.ConnectionsRefused;
                    simulator.Faults.DropAllSockets();
                    simulator.ProduceTransactions(100);
                    await Eventually.TrueAsync(() => simulator.Stats.ConnectionsRefused > refused, TimeSpan.FromSeconds(30), "a refused reconnect");
                    simulator.Faults.RefuseConnections = false;
                    await Eventually.TrueAsync(() => simulator.Stats.SubscriptionsActive > 0, TimeSpan.FromSeconds(60), "resubscribed");
                }
                if (round % 5 == 2)
                {
                    // Garbage sent to a socket that a drop or a refused reconnect is just replacing is never read: send
                    // it again until the server has counted some (it was flaky as a single send).
                    long counted = Garbage(await server.GetStatusAsync());
                    await Eventually.TrueAsync(async () =>
                    {
                        simulator.Faults.SendGarbage();
                        return Garbage(await server.GetStatusAsync()) > counted;
                    }, TimeSpan.FromSeconds(30), "garbage frames counted");
                }
            }
            await server.WaitForCheckpointAsync(LedgerAssert.NewestSignature(simulator), CatchUp);
            var status = await server.GetStatusAsync();
            Assert.True(status.GetProperty("counters").GetProperty("pub_sub").GetProperty("connects").GetInt64() >= 5,
                "the server should have reconnected several times");
            Assert.True(status.GetProperty("counters").GetProperty("pub_sub").GetProperty("garbage").GetInt64() > 0,
                "garbage frames should be counted");
            await ServedCandles.EqualLedgerAsync(server, simulator);
            await server.StopAsync();
        }
        LedgerAssert.StoreEqualsLedger(database.Path, simulator);
    }

    [Fact]
    public async Task Rate_limit_and_server_error_storms_only_slow_ingest_down()
    {
        await using var simulator = await StartSimulatorAsync(seed: 13, ADayAgo);
        simulator.ProduceTransactions(1000);
        simulator.Faults.HttpErrorRate = 0.3;
        simulator.Faults.HttpErrorStatus = 429;
        simulator.Faults.RetryAfterSeconds = 0;
        using var database = new TempFolder();
        await using (var server = await StartServerAsync(simulator, database.Path, OnlyTheChainClockFinalizes))
        {
            for (int round = 0; round < 8; round++)
            {
                simulator.Faults.HttpErrorStatus = round % 2 == 0 ? 500 : 429;
                simulator.ProduceTransactions(100);
                if (round == 4)
                {
                    // A reconnect during the storm forces a backfill through it.
                    await DropAndAwaitReconnectAsync(simulator, () => simulator.ProduceTransactions(50));
                }
            }
            await server.WaitForCheckpointAsync(LedgerAssert.NewestSignature(simulator), CatchUp);
            var rpc = (await server.GetStatusAsync()).GetProperty("counters").GetProperty("rpc");
            Assert.True(rpc.GetProperty("rate_limited").GetInt64() + rpc.GetProperty("http_errors").GetInt64() > 0,
                "the storm should have been seen and counted");
            await ServedCandles.EqualLedgerAsync(server, simulator);
            await server.StopAsync();
        }
        LedgerAssert.StoreEqualsLedger(database.Path, simulator);
    }

    [Fact]
    public async Task Short_signature_pages_mid_history_lose_and_duplicate_nothing()
    {
        await using var simulator = await StartSimulatorAsync(seed: 15);
        simulator.ProduceTransactions(1500);
        // Pages of at most 37 entries when the server asks for 1,000, as a node does mid-history: a backfill that
        // took a short page for the end would store only the newest 37 and move its checkpoint past the rest.
        simulator.Faults.SignaturePageCap = 37;
        using var database = new TempFolder();
        await using (var server = await StartServerAsync(simulator, database.Path))
        {
            await server.WaitForCheckpointAsync(LedgerAssert.NewestSignature(simulator), CatchUp);
            // And a backfill from a checkpoint (`until` set) through short pages: 300 transactions while away.
            await DropAndAwaitReconnectAsync(simulator, () => simulator.ProduceTransactions(300));
            await server.WaitForCheckpointAsync(LedgerAssert.NewestSignature(simulator), CatchUp);
            await server.StopAsync();
        }
        LedgerAssert.StoreEqualsLedger(database.Path, simulator);
        Assert.True(simulator.Stats.HttpRequestsFor("getSignaturesForAddress") > 1800 / 37, "the pages should have been short");
    }

    [Fact]
    public async Task A_node_that_repeats_a_signature_page_fails_the_backfill_instead_of_looping()
    {
        await using var simulator = await StartSimulatorAsync(seed: 18);
        simulator.ProduceTransactions(300);
        // `before` ignored: every page is the newest one again, never empty.
        simulator.Faults.IgnoreSignaturesBefore = true;
        using var database = new TempFolder();
        await using (var server = await StartServerAsync(simulator, database.Path))
        {
            await Eventually.TrueAsync(async () => (await server.GetStatusAsync()).GetProperty("last_error").GetString()?.Contains("repeated the page", StringComparison.Ordinal) == true,
                CatchUp, "the repeated page reported");
            simulator.Faults.IgnoreSignaturesBefore = false;
            await server.WaitForCheckpointAsync(LedgerAssert.NewestSignature(simulator), CatchUp);
            await server.StopAsync();
        }
        LedgerAssert.StoreEqualsLedger(database.Path, simulator);
    }

    [Fact]
    public async Task Killing_the_server_mid_stream_and_restarting_loses_and_duplicates_nothing()
    {
        await using var simulator = await StartSimulatorAsync(seed: 14, ADayAgo);
        simulator.ProduceTransactions(800);
        using var database = new TempFolder();
        using var producing = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        // The chain keeps moving while the server dies and comes back: 10 transactions every 20 ms, bounded.
        var producer = Task.Run(async () =>
        {
            for (int i = 0; i < 6000 && !producing.IsCancellationRequested; i++)
            {
                simulator.ProduceTransactions(10);
                await Task.Delay(20, CancellationToken.None);
            }
        }, CancellationToken.None);
        ulong reached = 0;
        for (int life = 0; life < 4; life++)
        {
            var server = await StartServerAsync(simulator, database.Path, ExtraCandleSettings);
            // Let this life store something new (backfill or live) before pulling the plug.
            await Eventually.TrueAsync(async () => (await server.GetStatusAsync()).GetProperty("last_processed_slot").GetUInt64() > reached,
                TimeSpan.FromSeconds(60), $"progress past slot {reached} before the kill");
            reached = (await server.GetStatusAsync()).GetProperty("last_processed_slot").GetUInt64();
            await server.KillAsync();
            await server.DisposeAsync();
        }
        await producing.CancelAsync();
        await producer;
        await using (var server = await StartServerAsync(simulator, database.Path, ExtraCandleSettings))
        {
            await server.WaitForCheckpointAsync(LedgerAssert.NewestSignature(simulator), CatchUp);
            await ServedCandles.EqualLedgerAsync(server, simulator, CandleIntervals, VolumeUnit.Sol);
            await server.StopAsync();
        }
        LedgerAssert.StoreEqualsLedger(database.Path, simulator);
        // Candles survive the kills too: they were written in the same batches as the events.
        using var store = SpinPetStore.Open(database.Path);
        ReferenceCandles.StoredEqualReference([.. store.Candles.ReadAllCandles()],
            ReferenceCandles.Compute(simulator.ExpectedEvents(), CandleIntervals.Select(name => Interval.Parse(name).Seconds), VolumeUnit.Sol));
    }

    /// <summary>Drops every PubSub socket, lets the chain move while the server is away, waits for it to be back.</summary>
    private static async Task DropAndAwaitReconnectAsync(ChainSimulator.ChainSimulator simulator, Action whileAway)
    {
        long accepted = simulator.Stats.WebSocketConnectionsAccepted;
        simulator.Faults.DropAllSockets();
        whileAway();
        await Eventually.TrueAsync(() => simulator.Stats.WebSocketConnectionsAccepted > accepted && simulator.Stats.SubscriptionsActive > 0,
            TimeSpan.FromSeconds(60), "the server reconnected");
    }

    internal static async Task<ChainSimulator.ChainSimulator> StartSimulatorAsync(int seed, long? genesisUnixTime = null)
    {
        var options = genesisUnixTime is { } genesis
            ? new SimulatorOptions { Seed = seed, MintCount = 6, GenesisUnixTime = genesis }
            : new SimulatorOptions { Seed = seed, MintCount = 6 };
        var simulator = new ChainSimulator.ChainSimulator(options);
        await simulator.StartAsync(TestContext.Current.CancellationToken);
        return simulator;
    }

    internal static Task<ServerProcess> StartServerAsync(
        ChainSimulator.ChainSimulator simulator, string database, IReadOnlyDictionary<string, string>? extra = null) =>
        ServerProcess.StartAsync(ServerSettings(simulator, database, extra));

    /// <summary>A server on <paramref name="simulator"/> and <paramref name="database"/>, with <paramref name="extra"/> on top.</summary>
    internal static Dictionary<string, string> ServerSettings(
        ChainSimulator.ChainSimulator simulator, string database, IReadOnlyDictionary<string, string>? extra = null)
    {
        var settings = ServerProcess.SettingsFor(simulator.RpcUri, simulator.WsUri, database);
        foreach (var (key, value) in extra ?? new Dictionary<string, string>())
        {
            settings[key] = value;
        }
        return settings;
    }
}
