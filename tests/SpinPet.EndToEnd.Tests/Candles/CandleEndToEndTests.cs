using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using SpinPet.Core.Candles;
using SpinPet.EndToEnd.Tests.Harness;
using SpinPet.Storage;
using SpinPet.TestSupport;

namespace SpinPet.EndToEnd.Tests.Candles;

/// <summary>The candles the server stores and serves equal candles computed independently from the ledger.</summary>
public sealed class CandleEndToEndTests(SharedServer shared) : IClassFixture<SharedServer>
{
    private static readonly long[] Required = [1, 30, 300];

    [Fact]
    public async Task Served_candles_equal_the_ledger_and_a_rebuild_reproduces_them()
    {
        await using var simulator = await Ingest.IngestExactlyOnceTests.StartSimulatorAsync(seed: 31);
        simulator.ProduceTransactions(2500);
        using var database = new TempFolder();
        var expected = ReferenceCandles.Compute(simulator.ExpectedEvents(), Required);
        var mints = ReferenceCandles.Mints(simulator.ExpectedEvents());

        await using (var server = await Ingest.IngestExactlyOnceTests.StartServerAsync(simulator, database.Path))
        {
            await server.WaitForCheckpointAsync(LedgerAssert.NewestSignature(simulator), TimeSpan.FromSeconds(90));
            // The simulated chain is in the past, so once caught up every candle closes within the grace.
            await Eventually.TrueAsync(async () => await AllFinalAsync(server, mints), TimeSpan.FromSeconds(30), "every candle final");

            // Walk every topic back to its first candle through the REST keyset paging.
            foreach (var mint in mints)
            {
                foreach (var name in new[] { "s1", "s30", "m5" })
                {
                    var served = await ServedCandles.WalkBackAsync(server, mint, name);
                    var want = expected.Where(e => e.Mint == mint && e.Seconds == Interval.Parse(name).Seconds).OrderBy(e => e.Time).ToList();
                    Assert.Equal(want.Count, served.Count);
                    for (int i = 0; i < want.Count; i++)
                    {
                        var (e, s) = (want[i], served[i]);
                        Assert.Equal(e.Time, s.GetProperty("time").GetInt64());
                        Assert.Equal(e.Open, s.GetProperty("open").GetDouble());
                        Assert.Equal(e.High, s.GetProperty("high").GetDouble());
                        Assert.Equal(e.Low, s.GetProperty("low").GetDouble());
                        Assert.Equal(e.Close, s.GetProperty("close").GetDouble());
                        Assert.Equal(e.UpdateCount, s.GetProperty("update_count").GetInt64());
                        Assert.Equal(e.Volume, s.GetProperty("volume").GetDouble());
                        Assert.True(s.GetProperty("is_final").GetBoolean());
                    }
                }
            }
            await server.StopAsync();
        }

        List<TopicCandle> live;
        using (var store = SpinPetStore.Open(database.Path))
        {
            live = [.. store.ReadAllCandles()];
            ReferenceCandles.StoredEqualReference(live, expected);
        }

        // The rebuild verb recomputes everything from the event log: identical OHLC, counts and times.
        await using (var rebuild = await ServerProcess.RunToExitAsync(ServerProcess.SettingsFor(simulator.RpcUri, simulator.WsUri, database.Path), "--rebuild-candles"))
        {
            Assert.True(rebuild.ExitCode == 0, rebuild.Output);
        }
        using (var store = SpinPetStore.Open(database.Path))
        {
            var rebuilt = store.ReadAllCandles().ToList();
            Assert.Equal(live.Count, rebuilt.Count);
            for (int i = 0; i < live.Count; i++)
            {
                Assert.Equal(live[i].Mint, rebuilt[i].Mint);
                Assert.Equal(live[i].Interval, rebuilt[i].Interval);
                var (a, b) = (live[i].Candle, rebuilt[i].Candle);
                Assert.Equal(a with { IsFinal = false }, b with { IsFinal = false });
            }
            Assert.Equal(store.CountCandles(ReferenceCandles.Key(mints[0]), Interval.S1),
                expected.Count(e => e.Mint == mints[0] && e.Seconds == 1));
        }

        // A start with another interval list rebuilds by itself before serving (and logs why); the next start does not.
        var withHourly = ServerProcess.SettingsFor(simulator.RpcUri, simulator.WsUri, database.Path);
        withHourly["SPIN_SOLANA__ENABLE_EVENT_LISTENER"] = "false";
        withHourly["SPIN_KLINE__INTERVALS__3"] = "h1";
        await using (var server = await ServerProcess.StartAsync(withHourly))
        {
            await ServedCandles.EqualLedgerAsync(server, simulator, ["s1", "s30", "m5", "h1"]);
            Assert.Contains("Rebuilding the candles from the event log before the ingest starts: the stored candles were built with intervals=s1,s30,m5;", server.Output, StringComparison.Ordinal);
            await server.StopAsync();
        }
        await using (var server = await ServerProcess.StartAsync(withHourly))
        {
            await ServedCandles.EqualLedgerAsync(server, simulator, ["s1", "s30", "m5", "h1"]);
            Assert.DoesNotContain("Rebuilding the candles", server.Output, StringComparison.Ordinal);
            await server.StopAsync();
        }
    }

    [Theory]
    [InlineData("interval=s1", "mint is required")]
    [InlineData("mint=abc&interval=s1", "is not a Solana address")]
    [InlineData("mint=0OIl0OIl0OIl0OIl0OIl0OIl0OIl0OIl0OIl&interval=s1", "is not a Solana address")]
    [InlineData("mint=JBMmrp6jhksqnxDBskkmVvWHhJLaPBjgiMHEroJbUTBZ&interval=h7", "Invalid interval: h7, must be one of: s1, s30, m5")]
    [InlineData("mint=JBMmrp6jhksqnxDBskkmVvWHhJLaPBjgiMHEroJbUTBZ", "interval is required")]
    [InlineData("mint=JBMmrp6jhksqnxDBskkmVvWHhJLaPBjgiMHEroJbUTBZ&interval=s1&limit=0", "limit: '0' must be an integer in 1..1000")]
    [InlineData("mint=JBMmrp6jhksqnxDBskkmVvWHhJLaPBjgiMHEroJbUTBZ&interval=s1&limit=1001", "limit: '1001' must be an integer in 1..1000")]
    [InlineData("mint=JBMmrp6jhksqnxDBskkmVvWHhJLaPBjgiMHEroJbUTBZ&interval=s1&limit=ten", "limit: 'ten' must be an integer")]
    [InlineData("mint=JBMmrp6jhksqnxDBskkmVvWHhJLaPBjgiMHEroJbUTBZ&interval=s1&order_by=price", "order_by: 'price' must be one of: time_asc, time_desc")]
    [InlineData("mint=JBMmrp6jhksqnxDBskkmVvWHhJLaPBjgiMHEroJbUTBZ&interval=s1&from=10&to=5", "from must not be after to")]
    [InlineData("mint=JBMmrp6jhksqnxDBskkmVvWHhJLaPBjgiMHEroJbUTBZ&interval=s1&from=10&before=50", "from and before cannot be combined")]
    [InlineData("mint=JBMmrp6jhksqnxDBskkmVvWHhJLaPBjgiMHEroJbUTBZ&interval=s1&before=-1", "before: '-1' must be an integer")]
    public async Task Invalid_kline_queries_get_400_with_the_envelope(string query, string message)
    {
        var response = await shared.Server.Http.GetAsync("/api/kline?" + query, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.False(body.GetProperty("success").GetBoolean());
        Assert.Equal(JsonValueKind.Null, body.GetProperty("data").ValueKind);
        Assert.Contains(message, body.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    private static async Task<bool> AllFinalAsync(ServerProcess server, string[] mints)
    {
        foreach (var mint in mints)
        {
            var page = (await server.Http.GetFromJsonAsync<JsonElement>($"/api/kline?mint={mint}&interval=m5&limit=1")).GetProperty("data");
            if (page.GetProperty("klines").EnumerateArray().Any(k => !k.GetProperty("is_final").GetBoolean()))
            {
                return false;
            }
        }
        return true;
    }
}
