using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using SpinPet.ChainSimulator;
using SpinPet.EndToEnd.Tests.Harness;
using SpinPet.TestSupport;

namespace SpinPet.EndToEnd.Tests.Wire;

/// <summary>
/// What the server says on the wire, pinned: a scripted session of REST requests and <c>/ws</c> messages against a
/// seeded chain, compared byte for byte with the transcript recorded before a refactoring (<c>wire-transcript.txt</c>
/// beside this file). A change the contract did not ask for — a renamed or reordered field, another number format,
/// another error message — fails here. To record again after an intended change, run this test with
/// <c>SPINPET_RECORD_WIRE=1</c> and review the diff of the transcript like code.
/// </summary>
public sealed class WireTranscriptTests
{
    private const string AdminKey = "wire-transcript-admin-key-0123456789";
    private const string UnknownMint = "11111111111111111111111111111111";
    private static readonly TimeSpan CatchUp = TimeSpan.FromSeconds(90);
    private static readonly string[] Intervals = ["s1", "s30", "m5"];

    private static string TranscriptPath =>
        Path.Combine(RepoPaths.Root, "tests", "SpinPet.EndToEnd.Tests", "Wire", "wire-transcript.txt");

    [Fact]
    public async Task The_wire_output_of_a_scripted_session_equals_the_recorded_transcript()
    {
        using var database = new TempFolder();
        // The genesis is the simulator's fixed default (2025-11-25), so block times, and with them every candle and
        // event, are the same on every run; the wall clock is far past them, so once caught up every candle is final.
        await using var simulator = new ChainSimulator.ChainSimulator(new SimulatorOptions { Seed = 97, MintCount = 4 });
        await simulator.StartAsync(TestContext.Current.CancellationToken);
        simulator.ProduceTransactions(600);
        var settings = ServerProcess.SettingsFor(simulator.RpcUri, simulator.WsUri, database.Path);
        settings["SPIN_SECURITY__ADMIN_API_KEY"] = AdminKey;
        // The script sends a few hundred requests in a burst; the limit it is not about stays out of the way.
        settings["SPIN_REST__MAX_REQUESTS_PER_SECOND"] = "100000";
        settings["SPIN_REST__BURST"] = "100000";
        await using var server = await ServerProcess.StartAsync(settings);
        await server.WaitForCheckpointAsync(LedgerAssert.NewestSignature(simulator), CatchUp);

        var session = new Session(server);
        var mints = await session.MintsAsync();
        await session.WaitUntilAllFinalAsync(mints);

        var transcript = new WireTranscript();
        await RestScriptAsync(session, transcript, mints);
        await SocketScriptAsync(session, transcript, simulator, mints);

        string actual = transcript.ToString();
        if (Environment.GetEnvironmentVariable("SPINPET_RECORD_WIRE") == "1")
        {
            await File.WriteAllTextAsync(TranscriptPath, actual, TestContext.Current.CancellationToken);
            return;
        }
        string expected = await File.ReadAllTextAsync(TranscriptPath, TestContext.Current.CancellationToken);
        WireDiff.AssertEqual(expected, actual);
    }

    private static async Task RestScriptAsync(Session session, WireTranscript transcript, IReadOnlyList<string> mints)
    {
        string mint = mints[0], other = mints[1];
        foreach (var interval in Intervals)
        {
            await session.GetAsync(transcript, $"/api/kline?mint={mint}&interval={interval}&limit=4");
        }
        await session.GetAsync(transcript, $"/api/kline?mint={mint}&interval=s1");
        await session.GetAsync(transcript, $"/api/kline?mint={mint}&interval=s30&order_by=time_asc&limit=3");
        var page = await session.GetDataAsync($"/api/kline?mint={mint}&interval=s1&limit=2");
        long newest = page.GetProperty("klines")[0].GetProperty("time").GetInt64();
        await session.GetAsync(transcript, $"/api/kline?mint={mint}&interval=s1&limit=3&before={newest}");
        await session.GetAsync(transcript, $"/api/kline?mint={mint}&interval=s1&limit=3&from={newest - 600}&to={newest - 60}");
        await session.GetAsync(transcript, $"/api/kline?mint={mint}&interval=s30&limit=2&page=2");
        await session.GetAsync(transcript, $"/api/kline?mint={mint}&interval=h7");
        await session.GetAsync(transcript, $"/api/kline?mint=not-a-mint&interval=s1");
        await session.GetAsync(transcript, $"/api/kline?mint={mint}&interval=s1&limit=0");
        await session.GetAsync(transcript, $"/api/kline?mint={UnknownMint}&interval=s1");

        await session.GetAsync(transcript, $"/api/events?mint={mint}&limit=5");
        await session.GetAsync(transcript, $"/api/events?mint={mint}&limit=5&order_by=slot_asc");
        await session.GetAsync(transcript, $"/api/events?mint={mint}&limit=4&page=3");
        var events = await session.GetDataAsync($"/api/events?mint={other}&limit=3");
        if (events.GetProperty("next_cursor").GetString() is { } cursor)
        {
            await session.GetAsync(transcript, $"/api/events?mint={other}&limit=3&before={Uri.EscapeDataString(cursor)}");
        }
        await session.GetAsync(transcript, $"/api/events?mint={mint}&limit=5000");
        await session.GetAsync(transcript, $"/api/events?mint={UnknownMint}");
        await session.GetAsync(transcript, "/api/events/stats");

        await session.GetAsync(transcript, "/api/mints?limit=3");
        await session.GetAsync(transcript, "/api/mints?limit=3&sort_by=slot_asc");
        await session.GetAsync(transcript, "/api/mints?limit=10&sort_by=activity_desc");
        var firstMints = await session.GetDataAsync("/api/mints?limit=2");
        if (firstMints.GetProperty("next_cursor").GetString() is { } mintCursor)
        {
            await session.GetAsync(transcript, $"/api/mints?limit=2&cursor={Uri.EscapeDataString(mintCursor)}");
        }
        await session.GetAsync(transcript, "/api/mints?sort_by=name");

        await session.PostAsync(transcript, "/api/details", $$"""{"mints":["{{mint}}","{{other}}","{{UnknownMint}}"]}""");
        await session.PostAsync(transcript, "/api/details", """{"mints":["nope"]}""");
        await session.PostAsync(transcript, "/api/details", """{"mints":""");

        string? user = null;
        foreach (var candidate in mints)
        {
            foreach (var type in new[] { "up_orders", "down_orders" })
            {
                var orders = await session.GetAsync(transcript, $"/api/mint_orders?mint={candidate}&type={type}&limit=3");
                user ??= FirstUser(orders);
            }
        }
        await session.GetAsync(transcript, $"/api/mint_orders?mint={mint}&type=sideways_orders");
        if (user is not null)
        {
            await session.GetAsync(transcript, $"/api/user_orders?user={user}&limit=5");
            await session.GetAsync(transcript, $"/api/user_orders?user={user}&limit=5&order_by=start_time_asc");
            await session.GetAsync(transcript, $"/api/user_orders?user={user}&mint={mint}");
            await session.GetAsync(transcript, $"/api/user_event?user={user}&limit=5");
            await session.GetAsync(transcript, $"/api/user_event?user={user}&limit=5&order_by=slot_asc&page=2");
        }
        else
        {
            transcript.Note("no open order on this chain: the user routes are not scripted");
        }
        await session.GetAsync(transcript, "/api/user_orders?user=bad");
        await session.GetAsync(transcript, "/api/time");
        await session.GetAsync(transcript, "/api/time?format=%25Y");
        await session.GetAsync(transcript, "/api/kline/status");
        await session.GetAsync(transcript, "/api/kline/subscriptions");
        await session.GetAsync(transcript, "/api/kline/subscriptions", AdminKey);
        await session.GetAsync(transcript, "/api/no-such-route");
    }

    private static async Task SocketScriptAsync(Session session, WireTranscript transcript, ChainSimulator.ChainSimulator simulator, IReadOnlyList<string> mints)
    {
        string mint = mints[0];
        await using var client = await KlineSocketClient.ConnectAsync(session.Server.BaseUri);
        transcript.Request("connect /ws");
        transcript.Answer(await ReceiveTextAsync(client));

        await ExchangeAsync(client, transcript, """{"msg_type":"ping"}""", 1);
        await ExchangeAsync(client, transcript, $$"""{"msg_type":"subscribe","symbol":"{{mint}}","interval":"s1","subscription_id":"sub_1","limit":5}""", 2);
        await ExchangeAsync(client, transcript, $$"""{"msg_type":"subscribe","symbol":"{{mint}}","interval":"s30","subscription_id":"sub_2"}""", 2);
        await ExchangeAsync(client, transcript, $$"""{"msg_type":"subscribe","symbol":"{{mint}}","interval":"s1","subscription_id":"sub_1","limit":2}""", 2);
        await ExchangeAsync(client, transcript, $$"""{"msg_type":"history","symbol":"{{mint}}","interval":"m5","limit":3}""", 1);
        var history = await session.GetDataAsync($"/api/kline?mint={mint}&interval=s1&limit=30&order_by=time_asc");
        long oldest = history.GetProperty("klines")[0].GetProperty("time").GetInt64();
        await ExchangeAsync(client, transcript, $$"""{"msg_type":"history","symbol":"{{mint}}","interval":"s1","limit":4,"from":{{oldest}}}""", 1);
        await ExchangeAsync(client, transcript, $$"""{"msg_type":"history","symbol":"{{mint}}","interval":"s1","limit":4,"before":{{oldest + 600}}}""", 1);
        await ExchangeAsync(client, transcript, $$"""{"msg_type":"history","symbol":"{{UnknownMint}}","interval":"s1"}""", 1);
        await ExchangeAsync(client, transcript, """{"msg_type":"subscribe","symbol":"{{not json""", 1);
        await ExchangeAsync(client, transcript, """{"msg_type":"dance"}""", 1);
        await ExchangeAsync(client, transcript, """{"symbol":"x"}""", 1);
        await ExchangeAsync(client, transcript, """{"msg_type":"subscribe","symbol":"not-a-mint","interval":"s1"}""", 1);
        await ExchangeAsync(client, transcript, $$"""{"msg_type":"subscribe","symbol":"{{mint}}","interval":"h7"}""", 1);
        await ExchangeAsync(client, transcript, $$"""{"msg_type":"history","symbol":"{{mint}}","interval":"s1","limit":0}""", 1);
        await ExchangeAsync(client, transcript, $$"""{"msg_type":"history","symbol":"{{mint}}","interval":"s1","limit":1001}""", 1);
        await ExchangeAsync(client, transcript, $$"""{"msg_type":"history","symbol":"{{mint}}","interval":"s1","limit":"ten"}""", 1);
        await ExchangeAsync(client, transcript, """[1,2,3]""", 1);
        await ExchangeAsync(client, transcript, $$"""{"msg_type":"unsubscribe","symbol":"{{mint}}","interval":"s30","subscription_id":"sub_2"}""", 1);
        await ExchangeAsync(client, transcript, $$"""{"msg_type":"unsubscribe","symbol":"{{mint}}","interval":"m5","subscription_id":"sub_9"}""", 1);
        await ExchangeAsync(client, transcript, $$"""{"msg_type":"unsubscribe","symbol":"{{mint}}","interval":"s1","subscription_id":"sub_1"}""", 1);
        await session.GetAsync(transcript, "/api/kline/subscriptions", AdminKey);

        // The event stream (protocol.md, "The event stream of a mint").
        await ExchangeAsync(client, transcript, $$"""{"msg_type":"subscribe_events","symbol":"{{mint}}","subscription_id":"ev_1","limit":3}""", 2);
        await ExchangeAsync(client, transcript, $$"""{"msg_type":"subscribe_events","symbol":"{{UnknownMint}}"}""", 2);
        await ExchangeAsync(client, transcript, $$"""{"msg_type":"subscribe_events","symbol":"{{mint}}","limit":1001}""", 1);
        await ExchangeAsync(client, transcript, $$"""{"msg_type":"unsubscribe_events","symbol":"{{mint}}","subscription_id":"ev_1"}""", 1);
        await ExchangeAsync(client, transcript, $$"""{"msg_type":"unsubscribe_events","symbol":"{{mint}}"}""", 1);
        await ExchangeAsync(client, transcript, $$"""{"msg_type":"unsubscribe_events","symbol":"{{UnknownMint}}"}""", 1);

        await LiveScriptAsync(session, transcript, simulator, mints, client);
        await LiveEventsScriptAsync(session, transcript, simulator, mints);
    }

    /// <summary>Every mint's event stream, then one transaction: its events arrive as event_data, in the order applied.</summary>
    private static async Task LiveEventsScriptAsync(Session session, WireTranscript transcript, ChainSimulator.ChainSimulator simulator, IReadOnlyList<string> mints)
    {
        await using var client = await KlineSocketClient.ConnectAsync(session.Server.BaseUri);
        await client.ReceiveUntilAsync("connection_success");
        int id = 0;
        foreach (var mint in mints)
        {
            await client.SendAsync($$"""{"msg_type":"subscribe_events","symbol":"{{mint}}","subscription_id":"tape_{{id++}}","limit":1}""");
            await client.ReceiveUntilAsync("subscription_confirmed");
        }
        transcript.Note($"subscribed to the events of {id} mints");
        // One transaction at a time until one has events (a transaction of this chain may have none, or fail).
        for (int round = 0; round < 10; round++)
        {
            long before = (await session.GetDataAsync("/api/events/stats")).GetProperty("total").GetInt64();
            simulator.ProduceTransactions(1);
            await session.Server.WaitForCheckpointAsync(LedgerAssert.NewestSignature(simulator), CatchUp);
            long after = (await session.GetDataAsync("/api/events/stats")).GetProperty("total").GetInt64();
            transcript.Request($"produce 1 transaction: {after - before} event(s)");
            for (long i = before; i < after; i++)
            {
                transcript.Answer(await ReceiveTextAsync(client));
            }
            if (after > before)
            {
                return;
            }
        }
        throw new InvalidOperationException("ten transactions without an event");
    }

    /// <summary>
    /// Every topic subscribed, then single transactions: each one's candles are pushed live, and then final (the wall
    /// clock is far past this chain's buckets). Realtime pushes may be conflated by timing, so the transcript keeps
    /// the final pushes, which are never conflated, in a fixed order.
    /// </summary>
    private static async Task LiveScriptAsync(
        Session session, WireTranscript transcript, ChainSimulator.ChainSimulator simulator, IReadOnlyList<string> mints, KlineSocketClient client)
    {
        int id = 0;
        foreach (var mint in mints)
        {
            foreach (var interval in Intervals)
            {
                await client.SendAsync($$"""{"msg_type":"subscribe","symbol":"{{mint}}","interval":"{{interval}}","subscription_id":"live_{{id++}}","limit":1}""");
                await client.ReceiveUntilAsync("subscription_confirmed");
            }
        }
        transcript.Note($"subscribed to {id} topics");
        for (int round = 0; round < 4; round++)
        {
            var before = await session.NewestCandlesAsync(mints);
            var blocks = simulator.ProduceTransactions(1);
            await session.Server.WaitForCheckpointAsync(LedgerAssert.NewestSignature(simulator), CatchUp);
            await session.WaitUntilAllFinalAsync(mints);
            var after = await session.NewestCandlesAsync(mints);
            var changed = after.Where(pair => !before.TryGetValue(pair.Key, out var old) || old != pair.Value)
                .ToDictionary(pair => pair.Key, pair => JsonDocument.Parse(pair.Value).RootElement.GetProperty("time").GetInt64());
            transcript.Request($"produce 1 transaction (round {round}, {blocks.Count} block(s)); {changed.Count} topic(s) changed");
            var finals = await ReceiveFinalsAsync(client, changed);
            foreach (var frame in finals.OrderBy(f => f.Key, StringComparer.Ordinal))
            {
                transcript.Answer(frame.Value);
            }
        }
    }

    /// <summary>Receives until, for every changed topic, the final push of its newest candle has arrived.</summary>
    private static async Task<SortedDictionary<string, string>> ReceiveFinalsAsync(KlineSocketClient client, Dictionary<string, long> changed)
    {
        var finals = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var waiting = new HashSet<string>(changed.Keys);
        while (waiting.Count > 0)
        {
            string text = await ReceiveTextAsync(client);
            using var document = JsonDocument.Parse(text);
            var root = document.RootElement;
            if (root.GetProperty("type").GetString() != "kline_data")
            {
                throw new InvalidOperationException("unexpected message while waiting for final pushes: " + text);
            }
            var data = root.GetProperty("data");
            var candle = data.GetProperty("data");
            if (!candle.GetProperty("is_final").GetBoolean())
            {
                continue;
            }
            string topic = $"{data.GetProperty("symbol").GetString()}/{data.GetProperty("interval").GetString()}";
            string key = $"{topic}/{candle.GetProperty("time").GetInt64():D12}";
            finals[key] = text;
            if (changed.TryGetValue(topic, out var newest) && newest == candle.GetProperty("time").GetInt64())
            {
                waiting.Remove(topic);
            }
        }
        return finals;
    }

    private static async Task ExchangeAsync(KlineSocketClient client, WireTranscript transcript, string request, int answers)
    {
        transcript.Request(request);
        await client.SendAsync(request);
        for (int i = 0; i < answers; i++)
        {
            transcript.Answer(await ReceiveTextAsync(client));
        }
    }

    private static async Task<string> ReceiveTextAsync(KlineSocketClient client)
    {
        var buffer = new byte[4 << 20];
        int length = 0;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            var result = await client.Socket.ReceiveAsync(buffer.AsMemory(length), timeout.Token);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                throw new InvalidOperationException("the server closed the connection");
            }
            length += result.Count;
            if (result.EndOfMessage)
            {
                return Encoding.UTF8.GetString(buffer, 0, length);
            }
        }
    }

    private static string? FirstUser(JsonElement? orders)
    {
        if (orders is not { } data || data.ValueKind != JsonValueKind.Object || !data.TryGetProperty("orders", out var list))
        {
            return null;
        }
        foreach (var order in list.EnumerateArray())
        {
            if (order.TryGetProperty("user", out var user) && user.GetString() is { } address)
            {
                return address;
            }
        }
        return null;
    }

    /// <summary>The server under test, its HTTP client, and the waits the script needs.</summary>
    private sealed class Session(ServerProcess server)
    {
        public ServerProcess Server => server;

        /// <summary>GET, recorded; returns <c>data</c> when the answer is a success envelope.</summary>
        public async Task<JsonElement?> GetAsync(WireTranscript transcript, string url, string? adminKey = null)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            if (adminKey is not null)
            {
                request.Headers.Add("X-Admin-Key", adminKey);
            }
            transcript.Request("GET " + url + (adminKey is null ? "" : " (admin key)"));
            return await SendAsync(transcript, request);
        }

        public async Task PostAsync(WireTranscript transcript, string url, string json)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
            transcript.Request("POST " + url + " " + json);
            await SendAsync(transcript, request);
        }

        public async Task<JsonElement> GetDataAsync(string url)
        {
            var envelope = await server.Http.GetFromJsonAsync<JsonElement>(url);
            return envelope.GetProperty("data");
        }

        public async Task<IReadOnlyList<string>> MintsAsync()
        {
            var data = await GetDataAsync("/api/mints?limit=1000&sort_by=slot_asc");
            return [.. data.GetProperty("mints").EnumerateArray().Select(m => m.GetString()!)];
        }

        /// <summary>The newest candle of every topic, as raw JSON, keyed "mint/interval".</summary>
        public async Task<Dictionary<string, string>> NewestCandlesAsync(IReadOnlyList<string> mints)
        {
            var newest = new Dictionary<string, string>();
            foreach (var mint in mints)
            {
                foreach (var interval in Intervals)
                {
                    var klines = (await GetDataAsync($"/api/kline?mint={mint}&interval={interval}&limit=1")).GetProperty("klines");
                    if (klines.GetArrayLength() > 0)
                    {
                        newest[$"{mint}/{interval}"] = klines[0].GetRawText();
                    }
                }
            }
            return newest;
        }

        public Task WaitUntilAllFinalAsync(IReadOnlyList<string> mints) =>
            Eventually.TrueAsync(async () =>
            {
                foreach (var candle in (await NewestCandlesAsync(mints)).Values)
                {
                    if (!candle.Contains("\"is_final\":true", StringComparison.Ordinal))
                    {
                        return false;
                    }
                }
                return true;
            }, CatchUp, "every topic's newest candle final");

        private async Task<JsonElement?> SendAsync(WireTranscript transcript, HttpRequestMessage request)
        {
            using var response = await server.Http.SendAsync(request);
            string body = await response.Content.ReadAsStringAsync();
            transcript.Answer((int)response.StatusCode, body);
            if (!response.IsSuccessStatusCode || body.Length == 0)
            {
                return null;
            }
            using var document = JsonDocument.Parse(body);
            return document.RootElement.TryGetProperty("data", out var data) ? data.Clone() : null;
        }
    }
}
