using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using SpinPet.Core.Events;
using SpinPet.EndToEnd.Tests.Harness;

namespace SpinPet.EndToEnd.Tests.Rest;

/// <summary>
/// The earlier server's field names (shared/spec/rest-legacy.md), route by route, pinned against the real server
/// process over a simulated chain: a frontend written for that server finds every field it read. Our own fields may
/// sit beside them; these tests only say the earlier ones are there, with the earlier nesting and kind of value.
/// </summary>
public sealed partial class LegacyFieldNamesTests(RestChain chain) : IClassFixture<RestChain>
{
    private static readonly string[] PagingFields = ["total", "page", "limit", "has_next", "has_prev"];

    private static readonly string[] OrderFields =
    [
        "order_type", "mint", "user", "lock_lp_start_price", "lock_lp_end_price", "lock_lp_sol_amount", "lock_lp_token_amount",
        "start_time", "end_time", "margin_sol_amount", "borrow_amount", "position_asset_amount", "borrow_fee", "order_pda",
        "latest_price", "latest_trade_time", "name", "symbol", "image",
    ];

    private static readonly Dictionary<string, string[]> EventFields = new()
    {
        ["TokenCreated"] =
        [
            "payer", "mint_account", "curve_account", "pool_token_account", "pool_sol_account", "fee_recipient", "base_fee_recipient",
            "params_account", "name", "symbol", "uri", "swap_fee", "borrow_fee", "fee_discount_flag",
        ],
        ["BuySell"] = ["payer", "mint_account", "is_buy", "token_amount", "sol_amount", "latest_price"],
        ["LongShort"] =
        [
            "payer", "mint_account", "order_pda", "latest_price", "order_type", "mint", "user", "lock_lp_start_price", "lock_lp_end_price",
            "lock_lp_sol_amount", "lock_lp_token_amount", "start_time", "end_time", "margin_sol_amount", "borrow_amount",
            "position_asset_amount", "borrow_fee",
        ],
        ["ForceLiquidate"] = ["payer", "mint_account", "order_pda"],
        ["FullClose"] =
        [
            "payer", "user_sol_account", "mint_account", "is_close_long", "final_token_amount", "final_sol_amount", "user_close_profit",
            "latest_price", "order_pda",
        ],
        ["PartialClose"] =
        [
            "payer", "user_sol_account", "mint_account", "is_close_long", "final_token_amount", "final_sol_amount", "user_close_profit",
            "latest_price", "order_pda", "order_type", "mint", "user", "lock_lp_start_price", "lock_lp_end_price", "lock_lp_sol_amount",
            "lock_lp_token_amount", "start_time", "end_time", "margin_sol_amount", "borrow_amount", "position_asset_amount", "borrow_fee",
        ],
        ["MilestoneDiscount"] = ["payer", "mint_account", "curve_account", "swap_fee", "borrow_fee", "fee_discount_flag"],
    };

    private LedgerReplay Replay { get; } = new(chain.Ledger);

    [Fact]
    public async Task Events_carry_the_type_tag_the_idl_fields_and_where_they_happened()
    {
        var seen = new HashSet<string>();
        foreach (var mint in Replay.MintsInFirstOrder)
        {
            var data = await chain.GetDataAsync($"/api/events?mint={mint}&limit=1000&order_by=slot_asc");
            AssertFields(data, ["events", .. PagingFields]);
            foreach (var ev in data.GetProperty("events").EnumerateArray())
            {
                string type = ev.GetProperty("event_type").GetString()!;
                seen.Add(type);
                AssertFields(ev, [.. EventFields[type], "timestamp", "signature", "slot"]);
                Assert.Matches(Rfc3339(), ev.GetProperty("timestamp").GetString());
            }
        }
        Assert.Equal(EventFields.Keys.Order(), seen.Order());
    }

    [Fact]
    public async Task Event_stats_count_each_type_and_their_total()
    {
        var data = await chain.GetDataAsync("/api/events/stats");
        string[] types = ["token_created", "buy_sell", "long_short", "force_liquidate", "full_close", "partial_close", "milestone_discount"];
        AssertFields(data, [.. types, "total"]);
        foreach (var type in types)
        {
            var kind = Enum.Parse<EventKind>(type.Replace("_", "", StringComparison.Ordinal), ignoreCase: true);
            Assert.Equal(chain.Ledger.Count(e => e.Event.Kind == kind), data.GetProperty(type).GetInt32());
        }
        Assert.Equal(chain.Ledger.Count, data.GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task Ingest_status_has_the_earlier_fields()
    {
        var data = await chain.GetDataAsync("/api/events/status");
        AssertFields(data, ["is_running", "last_event_time", "total_events_processed", "connection_status", "program_id"]);
    }

    [Fact]
    public async Task Mints_page_with_the_paging_fields_and_the_cursor()
    {
        var data = await chain.GetDataAsync("/api/mints?limit=2");
        AssertFields(data, ["mints", .. PagingFields, "next_cursor", "sort_by"]);
    }

    [Fact]
    public async Task Details_carry_the_creation_the_totals_created_by_and_last_updated_at()
    {
        var (mint, totals) = Replay.Mints.First(m => m.Value.Created is not null);
        using var response = await chain.Server.Http.PostAsync("/api/details",
            new StringContent($$"""{"mints":["{{mint}}"]}""", System.Text.Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
        var data = (await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(TestContext.Current.CancellationToken),
            cancellationToken: TestContext.Current.CancellationToken)).RootElement.GetProperty("data");
        AssertFields(data, ["details", "total"]);
        var detail = Assert.Single(data.GetProperty("details").EnumerateArray());
        AssertFields(detail,
        [
            "mint_account", "payer", "curve_account", "pool_token_account", "pool_sol_account", "fee_recipient", "base_fee_recipient",
            "params_account", "name", "symbol", "uri", "swap_fee", "borrow_fee", "fee_discount_flag", "create_timestamp", "latest_price",
            "latest_trade_time", "total_sol_amount", "total_margin_sol_amount", "total_force_liquidations", "total_close_profit",
            "created_by", "last_updated_at", "uri_data",
        ]);
        Assert.Equal(totals.Created!.Payer.ToString(), detail.GetProperty("created_by").GetString());
        Assert.Equal(RestChain.Rfc3339(totals.Latest.BlockTime), detail.GetProperty("last_updated_at").GetString());
        // No ipfs.gateway_url here: uri_data is null (its fields are pinned by TokenMetadataEndToEndTests).
        Assert.Equal(JsonValueKind.Null, detail.GetProperty("uri_data").ValueKind);
    }

    [Fact]
    public async Task Mint_orders_carry_the_order_fields_and_the_mints_latest_trade()
    {
        var order = Replay.Orders.Values.First();
        var totals = Replay.Mints[order.Mint];
        string type = order.State.OrderType == 2 ? "up_orders" : "down_orders";
        var data = await chain.GetDataAsync($"/api/mint_orders?mint={order.Mint}&type={type}&limit=1000");
        AssertFields(data, ["orders", "total", "order_type", "mint_account", "page", "limit", "has_next", "has_prev"]);
        var served = data.GetProperty("orders").EnumerateArray().Single(o => o.GetProperty("order_pda").GetString() == order.Pda);
        AssertFields(served, OrderFields);
        Assert.Equal(totals.LatestTradeTime, served.GetProperty("latest_trade_time").GetInt64());
        Assert.Equal(totals.Created?.Name, served.GetProperty("name").GetString());
    }

    [Fact]
    public async Task User_orders_carry_the_order_fields_and_the_mints_latest_trade()
    {
        var order = Replay.Orders.Values.First();
        string user = order.State.User.ToString();
        var data = await chain.GetDataAsync($"/api/user_orders?user={user}&limit=1000");
        AssertFields(data, ["orders", .. PagingFields, "user", "mint_account"]);
        Assert.Equal(JsonValueKind.Null, data.GetProperty("mint_account").ValueKind);
        var served = data.GetProperty("orders").EnumerateArray().Single(o => o.GetProperty("order_pda").GetString() == order.Pda);
        AssertFields(served, OrderFields);
        Assert.Equal(Replay.Mints[order.Mint].LatestTradeTime, served.GetProperty("latest_trade_time").GetInt64());
    }

    [Fact]
    public async Task User_events_are_transactions_with_the_event_nested_in_event_data()
    {
        var (user, events) = Replay.EventsByUser.MaxBy(u => u.Value.Count(e => e.Event.Kind != EventKind.BuySell));
        var data = await chain.GetDataAsync($"/api/user_event?user={user}&limit=1000&order_by=slot_asc");
        AssertFields(data, ["transactions", .. PagingFields, "user", "mint_account"]);
        var transactions = data.GetProperty("transactions").EnumerateArray().ToList();
        Assert.Equal(Math.Min(events.Count, 1000), transactions.Count);
        foreach (var (expected, served) in events.Zip(transactions))
        {
            AssertFields(served, ["event_type", "user", "mint_account", "slot", "timestamp", "signature", "event_data"]);
            string type = expected.Event.Kind.ToString();
            Assert.Equal(SnakeCase().Replace(type, "_$1").ToLowerInvariant(), served.GetProperty("event_type").GetString());
            Assert.Equal(user, served.GetProperty("user").GetString());
            Assert.Equal(expected.BlockTime, served.GetProperty("timestamp").GetInt64());
            Assert.Equal(expected.Signature, served.GetProperty("signature").GetString());
            var eventData = served.GetProperty("event_data");
            AssertFields(eventData, EventFields[type]);
            Assert.False(eventData.TryGetProperty("event_type", out _), "event_data repeats event_type");
        }
    }

    [Fact]
    public async Task Klines_page_with_the_paging_fields()
    {
        var mint = Replay.MintsInFirstOrder[0];
        var data = await chain.GetDataAsync($"/api/kline?mint={mint}&interval=s1&limit=2&page=2");
        AssertFields(data, ["klines", .. PagingFields, "interval", "mint_account"]);
        Assert.Equal(2, data.GetProperty("page").GetInt32());
        Assert.Equal(2, data.GetProperty("limit").GetInt32());
        Assert.True(data.GetProperty("has_prev").GetBoolean());
        AssertFields(data.GetProperty("klines")[0], ["time", "open", "high", "low", "close", "volume", "is_final", "update_count"]);
    }

    [Fact]
    public async Task Kline_status_reports_the_ping_settings_in_seconds()
    {
        var data = await chain.GetDataAsync("/api/kline/status");
        AssertFields(data, ["enabled", "service_status", "stats"]);
        var stats = data.GetProperty("stats");
        AssertFields(stats, ["active_connections", "total_subscriptions", "monitored_mints", "config"]);
        var config = stats.GetProperty("config");
        AssertFields(config, ["connection_timeout", "max_subscriptions_per_client", "ping_interval", "ping_timeout"]);
        // config/default.toml: websocket.ping_interval = 25000 ms, ping_timeout = 60000 ms.
        Assert.Equal(25, config.GetProperty("ping_interval").GetDouble());
        Assert.Equal(60, config.GetProperty("ping_timeout").GetDouble());
    }

    [Fact]
    public async Task Kline_subscriptions_and_status_list_ws_and_socketio_clients_by_socket_id_with_their_message_stats()
    {
        var mint = Replay.MintsInFirstOrder[0];
        await using var client = await KlineSocketClient.ConnectAsync(chain.Server.BaseUri);
        var hello = await client.ReceiveUntilAsync("connection_success");
        string socketId = hello.Match.GetProperty("client_id").GetString()!;
        await client.SendAsync($$"""{"msg_type":"subscribe","symbol":"{{mint}}","interval":"s1","subscription_id":"a"}""");
        await client.ReceiveUntilAsync("subscription_confirmed");

        // A frontend of the earlier server on Socket.IO /kline (long-polling), subscribed to the same topic.
        var io = await EnginePollingClient.OpenAsync(chain.Server.Http);
        await io.PostAsync("40/kline,");
        string greeting = await io.GetUntilAsync("42/kline,[\"connection_success\"");
        using var greetingJson = JsonDocument.Parse(greeting["42/kline,".Length..]);
        string ioSocketId = greetingJson.RootElement[1].GetProperty("client_id").GetString()!;
        await io.PostAsync($$"""42/kline,["subscribe",{"symbol":"{{mint}}","interval":"s30"}]""");
        await io.GetUntilAsync("42/kline,[\"subscription_confirmed\"");

        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/kline/subscriptions");
        request.Headers.Add("X-Admin-Key", RestChain.AdminKey);
        using var response = await chain.Server.Http.SendAsync(request, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var data = (await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(TestContext.Current.CancellationToken),
            cancellationToken: TestContext.Current.CancellationToken)).RootElement.GetProperty("data");
        AssertFields(data, ["timestamp", "total_connections", "total_rooms", "clients", "rooms"]);
        string[] clientFields = ["socket_id", "subscriptions", "subscription_count", "connection_duration_seconds", "last_activity_seconds_ago", "message_stats"];
        string[] statsFields = ["kline_data_sent", "history_data_sent", "total_messages_sent"];
        var clients = data.GetProperty("clients").EnumerateArray().ToList();
        var me = clients.Single(c => c.GetProperty("socket_id").GetString() == socketId);
        AssertFields(me, clientFields);
        AssertFields(me.GetProperty("message_stats"), statsFields);
        Assert.Equal("ws", me.GetProperty("endpoint").GetString());
        Assert.Equal([$"{mint}:s1"], me.GetProperty("subscriptions").EnumerateArray().Select(s => s.GetString()));
        // connection_success, history_data, subscription_confirmed at least.
        Assert.Equal(1, me.GetProperty("message_stats").GetProperty("history_data_sent").GetInt64());
        Assert.True(me.GetProperty("message_stats").GetProperty("total_messages_sent").GetInt64() >= 3);
        var room = data.GetProperty("rooms").EnumerateArray().Single(r => r.GetProperty("room_name").GetString() == $"kline:{mint}:s1");
        AssertFields(room, ["room_name", "mint", "interval", "subscriber_count", "subscribers"]);
        Assert.Contains(socketId, room.GetProperty("subscribers").EnumerateArray().Select(s => s.GetString()));

        var ioClient = clients.Single(c => c.GetProperty("socket_id").GetString() == ioSocketId);
        AssertFields(ioClient, clientFields);
        Assert.Equal("socketio", ioClient.GetProperty("endpoint").GetString());
        Assert.Equal([$"{mint}:s30"], ioClient.GetProperty("subscriptions").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal(1, ioClient.GetProperty("message_stats").GetProperty("history_data_sent").GetInt64());
        Assert.True(ioClient.GetProperty("message_stats").GetProperty("total_messages_sent").GetInt64() >= 3);
        var ioRoom = data.GetProperty("rooms").EnumerateArray().Single(r => r.GetProperty("room_name").GetString() == $"kline:{mint}:s30");
        Assert.Contains(ioSocketId, ioRoom.GetProperty("subscribers").EnumerateArray().Select(s => s.GetString()));

        var stats = (await chain.GetDataAsync("/api/kline/status")).GetProperty("stats");
        var socketIO = stats.GetProperty("socketio");
        Assert.True(socketIO.GetProperty("active_sessions").GetInt64() >= 1);
        Assert.True(socketIO.GetProperty("subscriptions").GetInt64() >= 1);
        // The totals count every connected frontend, as the earlier (Socket.IO) server did.
        Assert.Equal(stats.GetProperty("ws_connections").GetInt64() + socketIO.GetProperty("active_sessions").GetInt64(),
            stats.GetProperty("active_connections").GetInt64());
        Assert.Equal(stats.GetProperty("ws_subscriptions").GetInt64() + socketIO.GetProperty("subscriptions").GetInt64(),
            stats.GetProperty("total_subscriptions").GetInt64());
    }

    [Fact]
    public async Task Time_has_local_and_format_is_a_strftime_pattern_for_it()
    {
        var data = await chain.GetDataAsync("/api/time");
        AssertFields(data, ["timestamp", "utc", "local", "iso8601"]);
        Assert.Matches(LocalTime(), data.GetProperty("local").GetString());
        var formatted = await chain.GetDataAsync("/api/time?format=%25Y-%25m-%25d%20%25H%25%25");
        Assert.Matches(@"^\d{4}-\d{2}-\d{2} \d{2}%$", formatted.GetProperty("local").GetString());
    }

    [Theory]
    [InlineData("/api/kline?interval=s1&mint=")]
    [InlineData("/api/events?mint=")]
    [InlineData("/api/mint_orders?type=up_orders&mint=")]
    public async Task An_unknown_mint_on_a_route_about_one_mint_is_a_404(string url)
    {
        const string unknown = "11111111111111111111111111111111";
        using var response = await chain.Server.Http.GetAsync(url + unknown, TestContext.Current.CancellationToken);
        await RestLedgerTests.AssertErrorAsync(response, HttpStatusCode.NotFound, $"Unknown mint {unknown}: no event of it is stored");
    }

    private static void AssertFields(JsonElement element, IEnumerable<string> names)
    {
        Assert.Equal(JsonValueKind.Object, element.ValueKind);
        var missing = names.Where(n => !element.TryGetProperty(n, out _)).ToList();
        Assert.True(missing.Count == 0, $"missing {string.Join(", ", missing)} in {element}");
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")]
    private static partial Regex Rfc3339();

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} [+-]\d{2}:\d{2}$")]
    private static partial Regex LocalTime();

    [GeneratedRegex("(?<!^)([A-Z])")]
    private static partial Regex SnakeCase();
}
