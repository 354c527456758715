using System.Net.Http.Json;
using System.Text.Json;
using SpinPet.EndToEnd.Tests.Harness;
using SpinPet.EndToEnd.Tests.Ingest;
using SpinPet.TestSupport;

namespace SpinPet.EndToEnd.Tests.WebSockets;

/// <summary>
/// protocol.md, "The event stream of a mint", against the real server process and live simulated trading: the tape a
/// client receives (history, then live events) is the mint's stored tape of <c>GET /api/events</c>, item for item,
/// without a gap or a duplicate; resume, validation, counting, unsubscribe and the slow-subscriber close.
/// </summary>
public sealed class EventStreamTests
{
    private static readonly TimeSpan CatchUp = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Clients_joining_while_the_chain_trades_receive_the_stored_tape_without_a_gap_or_a_duplicate()
    {
        await using var simulator = await IngestExactlyOnceTests.StartSimulatorAsync(seed: 71, IngestExactlyOnceTests.ADayAgo);
        simulator.ProduceTransactions(150);
        using var database = new TempFolder();
        await using var server = await IngestExactlyOnceTests.StartServerAsync(simulator, database.Path, IngestExactlyOnceTests.OnlyTheChainClockFinalizes);
        await server.WaitForCheckpointAsync(LedgerAssert.NewestSignature(simulator), CatchUp);
        string mint = ReferenceCandles.Mints(simulator.ExpectedEvents())[0];

        await using var early = await TapeClient.StartAsync(server.BaseUri, mint, limit: 20);
        var (history, confirmed) = (early.Log[0], early.Log[1]);
        Assert.Equal(("history_event_data", "subscription_confirmed"), (history.Type, confirmed.Type));
        Assert.Equal(["symbol", "data", "has_more", "total_count", "seq", "epoch"], Names(history.Data));
        Assert.Equal(["symbol", "channel", "subscription_id", "success", "message", "seq", "epoch"], Names(confirmed.Data));
        Assert.Equal("events", confirmed.Data.GetProperty("channel").GetString());
        Assert.Equal(history.Data.GetProperty("seq").GetInt64(), confirmed.Data.GetProperty("seq").GetInt64());
        var stored = await StoredTapeAsync(server, mint);
        // The newest 20, oldest first, exactly as GET /api/events lists them.
        Assert.Equal(stored.TakeLast(20), Items(history.Data));
        Assert.True(history.Data.GetProperty("has_more").GetBoolean());
        Assert.Equal(stored.Count, history.Data.GetProperty("total_count").GetInt64());

        // More clients join while the chain trades: each one's tape is a contiguous stretch of the stored tape up to its end.
        var joining = Task.Run(async () =>
        {
            var clients = new List<TapeClient>();
            for (int i = 0; i < 6; i++)
            {
                clients.Add(await TapeClient.StartAsync(server.BaseUri, mint, limit: 3 + i));
            }
            return clients;
        }, TestContext.Current.CancellationToken);
        for (int round = 0; round < 3; round++)
        {
            simulator.ProduceTransactions(100);
        }
        var late = await joining;
        await server.WaitForCheckpointAsync(LedgerAssert.NewestSignature(simulator), CatchUp);
        stored = await StoredTapeAsync(server, mint);
        try
        {
            foreach (var client in late.Append(early))
            {
                // Live events come in the order applied, which is chain order except for a transaction the ingest
                // learns of late (a resync after a dropped notification): so the tape is compared as a set from its
                // first event on, and must hold no event twice.
                int start = -1;
                await Eventually.TrueAsync(() =>
                {
                    var tape = client.Tape;
                    start = tape.Count == 0 ? -1 : stored.IndexOf(tape[0]);
                    return start >= 0 && stored[start..].All(new HashSet<string>(tape).Contains);
                }, CatchUp, "the client holds every stored event from its first one on");
                var received = client.Tape;
                Assert.Equal(received.Count, received.Distinct().Count());
                Assert.All(received, e => Assert.Contains(e, stored));
                Assert.Equal(stored.Count - start, received.Count(e => stored.IndexOf(e) >= start));
                client.AssertLivePositionsInOrder();
            }
        }
        finally
        {
            foreach (var client in late)
            {
                await client.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task A_resume_gets_exactly_the_events_stored_after_its_seq_and_another_epoch_gets_the_ordinary_snapshot()
    {
        await using var simulator = await IngestExactlyOnceTests.StartSimulatorAsync(seed: 72, IngestExactlyOnceTests.ADayAgo);
        simulator.ProduceTransactions(150);
        using var database = new TempFolder();
        await using var server = await IngestExactlyOnceTests.StartServerAsync(simulator, database.Path, IngestExactlyOnceTests.OnlyTheChainClockFinalizes);
        await server.WaitForCheckpointAsync(LedgerAssert.NewestSignature(simulator), CatchUp);
        string mint = ReferenceCandles.Mints(simulator.ExpectedEvents())[1];

        // Caught up and quiet: the snapshot's seq covers exactly the tape stored now.
        var before = await StoredTapeAsync(server, mint);
        string epoch;
        long seq;
        await using (var first = await TapeClient.StartAsync(server.BaseUri, mint, limit: 5))
        {
            epoch = first.Log[0].Data.GetProperty("epoch").GetString()!;
            seq = first.Log[0].Data.GetProperty("seq").GetInt64();
        }
        for (int round = 0; round < 2; round++)
        {
            simulator.ProduceTransactions(100);
        }
        await server.WaitForCheckpointAsync(LedgerAssert.NewestSignature(simulator), CatchUp);
        var after = await StoredTapeAsync(server, mint);
        Assert.True(after.Count > before.Count, "the mint traded while the client was away");

        await using var resumed = await TapeClient.StartAsync(server.BaseUri, mint, limit: 5, resume: (epoch, seq));
        var snapshot = resumed.Log[0].Data;
        Assert.Equal(["recovered", "seq", "epoch"], Names(snapshot).TakeLast(3));
        Assert.True(snapshot.GetProperty("recovered").GetBoolean());
        Assert.True(resumed.Log[1].Data.GetProperty("recovered").GetBoolean());
        Assert.Equal(after[before.Count..], Items(snapshot));

        var stranger = await TapeClient.StartAsync(server.BaseUri, mint, limit: 4, resume: ("0123456789abcdef0123456789abcdef", 1));
        await using (stranger)
        {
            Assert.False(stranger.Log[0].Data.GetProperty("recovered").GetBoolean());
            Assert.False(stranger.Log[1].Data.GetProperty("recovered").GetBoolean());
            Assert.Equal(after.TakeLast(4), Items(stranger.Log[0].Data));
        }
    }

    [Fact]
    public async Task Requests_are_validated_counted_and_unsubscribed_like_a_topics()
    {
        using var database = new TempFolder();
        await using var server = await ServerProcess.StartAsync(new Dictionary<string, string>
        {
            ["SPIN_DATABASE__ROCKSDB_PATH"] = database.Path,
            ["SPIN_SOLANA__ENABLE_EVENT_LISTENER"] = "false",
            ["SPIN_KLINE__MAX_SUBSCRIPTIONS_PER_CLIENT"] = "2",
        });
        await using var client = await KlineSocketClient.ConnectAsync(server.BaseUri);
        await client.ReceiveUntilAsync("connection_success");
        const string Mint = "81WZbeJwfo9mTBRZsBqaUBWa2jeRKH2LQi54uwXdZYoa";
        const string Other = "So11111111111111111111111111111111111111112";

        foreach (var (request, message) in new[]
        {
            ($$"""{"msg_type":"subscribe_events","symbol":"{{Mint}}","limit":0}""", "Invalid limit: 0, must be 1..1000"),
            ($$"""{"msg_type":"subscribe_events","symbol":"{{Mint}}","limit":1001}""", "Invalid limit: 1001, must be 1..1000"),
            ($$"""{"msg_type":"subscribe_events","symbol":"{{Mint}}","limit":"5"}""", "Invalid request: limit must be an integer"),
            ("""{"msg_type":"subscribe_events","symbol":"test_mint"}""", "Invalid symbol: test_mint is not a Solana address (base58 of 32 bytes)"),
            ("""{"msg_type":"subscribe_events"}""", "Invalid request: symbol is required"),
            ($$"""{"msg_type":"subscribe_events","symbol":"{{Mint}}","subscription_id":"{{new string('x', 65)}}"}""", "Invalid subscription_id: at most 64 characters of A-Z a-z 0-9 _ . : -"),
            ($$$"""{"msg_type":"subscribe_events","symbol":"{{{Mint}}}","resume":{"epoch":"x"}}""", "Invalid resume: expected {\"epoch\":string,\"seq\":integer ≥ 0}"),
        })
        {
            await client.SendAsync(request);
            var (error, _) = await client.ReceiveUntilAsync("error");
            Assert.Equal(1001, error.GetProperty("code").GetInt32());
            Assert.Equal(message, error.GetProperty("message").GetString());
        }

        // A mint without events: an empty snapshot, then the confirmation. Subscribing again replaces it (counted once).
        await client.SendAsync($$"""{"msg_type":"subscribe_events","symbol":"{{Mint}}","subscription_id":"e1"}""");
        var (empty, _) = await client.ReceiveUntilAsync("history_event_data");
        Assert.Empty(empty.GetProperty("data").GetProperty("data").EnumerateArray());
        Assert.Equal(0, empty.GetProperty("data").GetProperty("total_count").GetInt64());
        await client.ReceiveUntilAsync("subscription_confirmed");
        await client.SendAsync($$"""{"msg_type":"subscribe_events","symbol":"{{Mint}}","subscription_id":"e2"}""");
        var (again, _) = await client.ReceiveUntilAsync("subscription_confirmed");
        Assert.Equal("e2", again.GetProperty("data").GetProperty("subscription_id").GetString());
        // One event stream and one K-line topic fill the limit of 2: a second mint's stream is refused.
        await client.SendAsync($$"""{"msg_type":"subscribe","symbol":"{{Mint}}","interval":"s1"}""");
        await client.ReceiveUntilAsync("subscription_confirmed");
        await client.SendAsync($$"""{"msg_type":"subscribe_events","symbol":"{{Other}}"}""");
        var (refused, _) = await client.ReceiveUntilAsync("error");
        Assert.Equal(1002, refused.GetProperty("code").GetInt32());

        await client.SendAsync($$"""{"msg_type":"unsubscribe_events","symbol":"{{Mint}}"}""");
        var (unsubscribed, _) = await client.ReceiveUntilAsync("unsubscribe_confirmed");
        Assert.Equal(
            $$"""{"symbol":"{{Mint}}","channel":"events","subscription_id":"e2","success":true}""",
            unsubscribed.GetProperty("data").GetRawText());
        await client.SendAsync($$"""{"msg_type":"unsubscribe_events","symbol":"{{Mint}}","subscription_id":"e2"}""");
        var (notSubscribed, _) = await client.ReceiveUntilAsync("unsubscribe_confirmed");
        Assert.False(notSubscribed.GetProperty("data").GetProperty("success").GetBoolean());
        // The freed place takes the other mint's stream.
        await client.SendAsync($$"""{"msg_type":"subscribe_events","symbol":"{{Other}}"}""");
        var (confirmedOther, _) = await client.ReceiveUntilAsync("subscription_confirmed");
        Assert.Equal(Other, confirmedOther.GetProperty("data").GetProperty("symbol").GetString());
    }

    [Fact]
    public async Task A_client_that_never_reads_its_event_stream_is_closed_with_1008_and_others_keep_theirs()
    {
        await using var simulator = await IngestExactlyOnceTests.StartSimulatorAsync(seed: 73);
        simulator.ProduceTransactions(50);
        using var database = new TempFolder();
        var settings = ServerProcess.SettingsFor(simulator.RpcUri, simulator.WsUri, database.Path);
        settings["SPIN_WEBSOCKET__MAX_OUTBOX_BYTES"] = "524288";
        await using var server = await ServerProcess.StartAsync(settings);
        await server.WaitForCheckpointAsync(LedgerAssert.NewestSignature(simulator), CatchUp);
        var mints = ReferenceCandles.Mints(simulator.ExpectedEvents());

        using var stalled = await StalledClient.ConnectAsync(server.BaseUri);
        foreach (var mint in mints)
        {
            await stalled.SendAsync($$"""{"msg_type":"subscribe_events","symbol":"{{mint}}","limit":1}""");
        }
        await using var reader = await TapeClient.StartAsync(server.BaseUri, mints[0], limit: 1);
        // Every trade is an event_data of ~700 bytes the stalled client never takes: the socket buffers fill, then its
        // outbox (512 KiB); it is closed rather than skipped.
        for (int round = 0; round < 20 && (await KlineSocketSlowConsumerTests.StatsAsync(server)).GetProperty("slow_consumer_closes").GetInt64() == 0; round++)
        {
            simulator.ProduceTransactions(300);
            await server.WaitForCheckpointAsync(LedgerAssert.NewestSignature(simulator), CatchUp);
        }
        Assert.Equal(1, (await KlineSocketSlowConsumerTests.StatsAsync(server)).GetProperty("slow_consumer_closes").GetInt64());
        // Reading now, it finds the frames it had taken, then the close (before the send timeout would abort it).
        Assert.Equal(1008, await stalled.ReadCloseCodeAsync(TimeSpan.FromSeconds(8)));

        var stored = await StoredTapeAsync(server, mints[0]);
        await Eventually.TrueAsync(() => reader.Tape.Count > 0 && reader.Tape[^1] == stored[^1], CatchUp, "the reading client's tape");
        Assert.Equal(stored[stored.IndexOf(reader.Tape[0])..], reader.Tape);
    }

    /// <summary>Every stored event of the mint, oldest first, each as GET /api/events writes it.</summary>
    internal static async Task<List<string>> StoredTapeAsync(ServerProcess server, string mint)
    {
        var tape = new List<string>();
        string? cursor = null;
        while (true)
        {
            var url = $"/api/events?mint={mint}&order_by=slot_asc&limit=1000" + (cursor is null ? "" : "&before=" + Uri.EscapeDataString(cursor));
            var data = (await server.Http.GetFromJsonAsync<JsonElement>(url, TestContext.Current.CancellationToken)).GetProperty("data");
            tape.AddRange(data.GetProperty("events").EnumerateArray().Select(e => e.GetRawText()));
            if (!data.GetProperty("has_next").GetBoolean())
            {
                return tape;
            }
            cursor = data.GetProperty("next_cursor").GetString();
        }
    }

    private static List<string> Items(JsonElement snapshot) => [.. snapshot.GetProperty("data").EnumerateArray().Select(e => e.GetRawText())];

    private static string[] Names(JsonElement data) => [.. data.EnumerateObject().Select(p => p.Name)];
}
