using System.Text.Json;
using SpinPet.EndToEnd.Tests.Harness;
using SpinPet.EndToEnd.Tests.Ingest;
using SpinPet.TestSupport;

namespace SpinPet.EndToEnd.Tests.WebSockets;

/// <summary>
/// protocol.md, "Position and resume", against the real server process and live simulated trading: where seq and
/// epoch appear, their order, and clients that come back with <c>resume</c>.
/// </summary>
public sealed class KlineSocketResumeTests
{
    private static readonly TimeSpan CatchUp = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task A_client_that_resumes_after_the_chain_moved_on_recovers_what_changed_and_then_holds_the_stored_candles()
    {
        await using var simulator = await IngestExactlyOnceTests.StartSimulatorAsync(seed: 61, IngestExactlyOnceTests.ADayAgo);
        simulator.ProduceTransactions(300);
        using var database = new TempFolder();
        await using var server = await IngestExactlyOnceTests.StartServerAsync(simulator, database.Path, IngestExactlyOnceTests.OnlyTheChainClockFinalizes);
        await server.WaitForCheckpointAsync(LedgerAssert.NewestSignature(simulator), CatchUp);
        string mint = ReferenceCandles.Mints(simulator.ExpectedEvents())[0];

        var first = await ResumingClient.StartAsync(server.BaseUri, mint, "s30");
        var (history, confirmed) = (first.Log[0], first.Log[1]);
        Assert.Equal(("history_data", "subscription_confirmed"), (history.Type, confirmed.Type));
        Assert.Equal(["seq", "epoch"], LastNames(history.Data, 2));
        Assert.Equal(["message", "seq", "epoch"], LastNames(confirmed.Data, 3));
        Assert.Equal(history.Data.GetProperty("seq").GetInt64(), confirmed.Data.GetProperty("seq").GetInt64());
        Assert.Matches("^[0-9a-f]{32}$", history.Data.GetProperty("epoch").GetString());

        for (int round = 0; round < 3; round++)
        {
            simulator.ProduceTransactions(100);
        }
        await server.WaitForCheckpointAsync(LedgerAssert.NewestSignature(simulator), CatchUp);
        await Eventually.TrueAsync(async () => first.Holds(await KlineSocketLiveTests.ReadAllAsync(server, mint, "s30")), CatchUp, "the first connection holds the stored candles");
        AssertPushesInOrder(first.Log, history.Data);

        // Gone while the chain moves on; back with the position it had.
        var resumeAt = first.Position;
        await first.DisposeAsync();
        for (int round = 0; round < 2; round++)
        {
            simulator.ProduceTransactions(100);
        }
        await server.WaitForCheckpointAsync(LedgerAssert.NewestSignature(simulator), CatchUp);
        var storedAtResume = await KlineSocketLiveTests.ReadAllAsync(server, mint, "s30");

        await using var second = await ResumingClient.ResumeAsync(server.BaseUri, first);
        var (recovered, recoveredConfirmation) = (second.Log[0], second.Log[1]);
        Assert.Equal(["recovered", "seq", "epoch"], LastNames(recovered.Data, 3));
        Assert.Equal(["recovered", "seq", "epoch"], LastNames(recoveredConfirmation.Data, 3));
        Assert.True(recovered.Data.GetProperty("recovered").GetBoolean());
        Assert.True(recoveredConfirmation.Data.GetProperty("recovered").GetBoolean());
        Assert.Equal(resumeAt.Epoch, recovered.Data.GetProperty("epoch").GetString());
        Assert.True(recovered.Data.GetProperty("seq").GetInt64() > resumeAt.Seq, "the chain moved on");
        // Only what changed: every recovered candle is one the client lacked, held open, held in another state, or
        // got from a batch after its position (a push's batch may not have reached it in full).
        var held = first.Candles;
        var recoveredCandles = recovered.Data.GetProperty("data").EnumerateArray().ToList();
        Assert.NotEmpty(recoveredCandles);
        Assert.True(recoveredCandles.Count < storedAtResume.Count, "a resume is not a reload");
        foreach (var candle in recoveredCandles)
        {
            long time = candle.GetProperty("time").GetInt64();
            Assert.True(!held.TryGetValue(time, out var mine) || !mine.Candle.GetProperty("is_final").GetBoolean()
                || !ResumingClient.Same(mine.Candle, candle) || mine.Seq > resumeAt.Seq, $"candle {time} was recovered though the client held it");
        }

        // And all of it: every stored candle the client lacked or held in another state is recovered as stored (the
        // chain clock alone finalizes here, so nothing changed between the read above and the resume).
        var byTime = recoveredCandles.ToDictionary(c => c.GetProperty("time").GetInt64());
        foreach (var candle in storedAtResume.Where(c => c.GetProperty("time").GetInt64() >= first.Since))
        {
            long time = candle.GetProperty("time").GetInt64();
            if (!held.TryGetValue(time, out var mine) || !ResumingClient.Same(mine.Candle, candle))
            {
                Assert.True(byTime.TryGetValue(time, out var got) && ResumingClient.Same(got, candle), $"candle {time} changed but was not recovered");
            }
        }

        simulator.ProduceTransactions(100);
        await server.WaitForCheckpointAsync(LedgerAssert.NewestSignature(simulator), CatchUp);
        await Eventually.TrueAsync(async () => second.Holds(await KlineSocketLiveTests.ReadAllAsync(server, mint, "s30")), CatchUp,
            "the resumed client's candles (held, recovered, live) equal the stored candles");
        AssertPushesInOrder(second.Log, recovered.Data);

        // Another epoch (a history this node does not have): the ordinary snapshot.
        await using var stranger = await ResumingClient.StartAsync(server.BaseUri, mint, "s30", ("0123456789abcdef0123456789abcdef", 1), held: null, since: long.MaxValue, limit: 5);
        var ordinary = stranger.Log[0].Data;
        Assert.False(ordinary.GetProperty("recovered").GetBoolean());
        Assert.False(stranger.Log[1].Data.GetProperty("recovered").GetBoolean());
        var newest = (await KlineSocketLiveTests.ReadAllAsync(server, mint, "s30")).Select(c => c.GetProperty("time").GetInt64()).Order().TakeLast(5);
        Assert.Equal(newest, ordinary.GetProperty("data").EnumerateArray().Select(c => c.GetProperty("time").GetInt64()));

        // A resume of the wrong shape is an invalid request.
        await stranger.SendAsync($$$"""{"msg_type":"subscribe","symbol":"{{{mint}}}","interval":"s1","resume":{"epoch":"x"}}""");
        await Eventually.TrueAsync(() => stranger.Log.Any(m => m.Type == "error"), CatchUp, "the error");
        Assert.Equal(1001, stranger.Log.First(m => m.Type == "error").Data.GetProperty("code").GetInt32());
    }

    [Fact]
    public async Task Positions_survive_a_restart_and_a_client_resumes_across_it()
    {
        await using var simulator = await IngestExactlyOnceTests.StartSimulatorAsync(seed: 62, IngestExactlyOnceTests.ADayAgo);
        simulator.ProduceTransactions(200);
        using var database = new TempFolder();
        ResumingClient before;
        await using (var server = await IngestExactlyOnceTests.StartServerAsync(simulator, database.Path, IngestExactlyOnceTests.OnlyTheChainClockFinalizes))
        {
            await server.WaitForCheckpointAsync(LedgerAssert.NewestSignature(simulator), CatchUp);
            string mint = ReferenceCandles.Mints(simulator.ExpectedEvents())[0];
            before = await ResumingClient.StartAsync(server.BaseUri, mint, "s1");
            await server.StopAsync();
            Assert.Equal(0, server.ExitCode);
        }
        await before.DisposeAsync();
        var (epoch, seq) = before.Position;
        Assert.True(seq > 0);

        await using var restarted = await IngestExactlyOnceTests.StartServerAsync(simulator, database.Path, IngestExactlyOnceTests.OnlyTheChainClockFinalizes);
        await using var after = await ResumingClient.ResumeAsync(restarted.BaseUri, before);
        var snapshot = after.Log[0].Data;
        Assert.True(snapshot.GetProperty("recovered").GetBoolean());
        Assert.Equal(epoch, snapshot.GetProperty("epoch").GetString());
        Assert.True(snapshot.GetProperty("seq").GetInt64() >= seq);

        simulator.ProduceTransactions(100);
        await restarted.WaitForCheckpointAsync(LedgerAssert.NewestSignature(simulator), CatchUp);
        await Eventually.TrueAsync(async () => after.Holds(await KlineSocketLiveTests.ReadAllAsync(restarted, after.Mint, "s1")), CatchUp,
            "the client holds the stored candles after the restart");
        var pushes = after.Log.Where(m => m.Type == "kline_data").ToList();
        Assert.NotEmpty(pushes);
        Assert.All(pushes, p => Assert.Equal(epoch, p.Data.GetProperty("epoch").GetString()));
        Assert.All(pushes, p => Assert.True(p.Data.GetProperty("seq").GetInt64() > seq, "seq continues after the restart"));
    }

    /// <summary>
    /// The pushes after <paramref name="snapshot"/>: positions end their data, one epoch, never behind the snapshot,
    /// never decreasing, and strictly increasing for the states of one candle (one batch changes a candle once).
    /// </summary>
    private static void AssertPushesInOrder(IReadOnlyList<(string Type, JsonElement Data)> log, JsonElement snapshot)
    {
        var pushes = log.Where(m => m.Type == "kline_data").Select(m => m.Data).ToList();
        Assert.NotEmpty(pushes);
        long previous = snapshot.GetProperty("seq").GetInt64();
        var perCandle = new Dictionary<long, long>();
        foreach (var push in pushes)
        {
            Assert.Equal(["timestamp", "seq", "epoch"], LastNames(push, 3));
            Assert.Equal(snapshot.GetProperty("epoch").GetString(), push.GetProperty("epoch").GetString());
            long seq = push.GetProperty("seq").GetInt64();
            Assert.True(seq >= previous, $"push seq {seq} after {previous}");
            long time = push.GetProperty("data").GetProperty("time").GetInt64();
            Assert.True(!perCandle.TryGetValue(time, out var last) || seq > last, $"candle {time}: seq {seq} after {last}");
            perCandle[time] = seq;
            previous = seq;
        }
        Assert.True(snapshot.GetProperty("seq").GetInt64() <= pushes[0].GetProperty("seq").GetInt64());
    }

    private static string[] LastNames(JsonElement data, int count) => [.. data.EnumerateObject().Select(p => p.Name).TakeLast(count)];
}
