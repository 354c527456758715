using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using SpinPet.ChainSimulator;
using SpinPet.Core.Events;
using SpinPet.EndToEnd.Tests.Harness;

namespace SpinPet.EndToEnd.Tests.Rest;

/// <summary>
/// Every list and aggregate of the REST API, served from real storage filled by the simulator over RPC, equals what
/// the ledger says; every list is walked to its end through its cursor without a gap or a repeat.
/// </summary>
public sealed class RestLedgerTests(RestChain chain) : IClassFixture<RestChain>
{
    private LedgerReplay Replay { get; } = new(chain.Ledger);

    [Fact]
    public async Task A_mints_events_walked_newest_and_oldest_first_equal_the_ledger()
    {
        foreach (var (mint, totals) in Replay.Mints)
        {
            var newest = await chain.WalkAsync($"/api/events?mint={mint}", "events", cursorName: "before");
            var oldest = await chain.WalkAsync($"/api/events?mint={mint}&order_by=slot_asc", "events", cursorName: "before");

            AssertEvents(totals.Events, oldest);
            AssertEvents(Enumerable.Reverse(totals.Events).ToList(), newest);
            var first = await chain.GetDataAsync($"/api/events?mint={mint}&limit=1");
            Assert.Equal(totals.Events.Count, first.GetProperty("total").GetInt32());
        }
    }

    [Fact]
    public async Task Pages_by_number_give_the_same_events_as_the_cursor()
    {
        var (mint, totals) = Replay.Mints.MaxBy(m => m.Value.Events.Count);
        var served = new List<JsonElement>();
        for (int page = 1; ; page++)
        {
            var data = await chain.GetDataAsync($"/api/events?mint={mint}&order_by=slot_asc&limit=50&page={page}");
            Assert.Equal(page, data.GetProperty("page").GetInt32());
            Assert.Equal(page > 1, data.GetProperty("has_prev").GetBoolean());
            served.AddRange(data.GetProperty("events").EnumerateArray());
            if (!data.GetProperty("has_next").GetBoolean())
            {
                break;
            }
        }
        AssertEvents(totals.Events, served);
    }

    [Fact]
    public async Task Stats_count_every_event_type_of_the_ledger()
    {
        var stats = await chain.GetDataAsync("/api/events/stats");

        Assert.Equal(chain.Ledger.Count, stats.GetProperty("total_events").GetInt32());
        foreach (var kind in Enum.GetValues<EventKind>())
        {
            Assert.Equal(chain.Ledger.Count(e => e.Event.Kind == kind), stats.GetProperty("events_by_type").GetProperty(kind.ToString()).GetInt32());
        }
        Assert.Equal(chain.Simulator.Blocks.Sum(b => b.Transactions.Count), stats.GetProperty("total_transactions").GetInt32());
        Assert.Equal(Replay.Mints.Count, stats.GetProperty("total_mints").GetInt32());
    }

    [Fact]
    public async Task Mints_are_listed_by_first_event_and_by_latest_activity()
    {
        var newest = await chain.WalkAsync("/api/mints?sort_by=slot_desc", "mints", limit: 2);
        var oldest = await chain.WalkAsync("/api/mints?sort_by=slot_asc", "mints", limit: 2);
        var active = await chain.WalkAsync("/api/mints?sort_by=activity_desc", "mints", limit: 4);
        var byDefault = await chain.GetDataAsync("/api/mints");

        Assert.Equal(Replay.MintsInFirstOrder, oldest.Select(m => m.GetString()));
        Assert.Equal(Enumerable.Reverse(Replay.MintsInFirstOrder), newest.Select(m => m.GetString()));
        var byActivity = Replay.Mints.Values.OrderByDescending(m => (m.Latest.Slot, m.Latest.TxIndexInSlot, m.Latest.EventIndex)).Select(m => m.Mint);
        Assert.Equal(byActivity, active.Select(m => m.GetString()));
        Assert.Equal("slot_desc", byDefault.GetProperty("sort_by").GetString());
        Assert.Equal(Replay.Mints.Count, byDefault.GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task Details_equal_the_totals_computed_from_the_ledger()
    {
        var asked = Replay.MintsInFirstOrder.Append("11111111111111111111111111111111").Append(Replay.MintsInFirstOrder[0]).ToList();
        var response = await chain.Server.Http.PostAsJsonAsync("/api/details", new { mints = asked }, TestContext.Current.CancellationToken);
        var data = (await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("data");

        // Unknown mints are left out, repeated ones answered once, in the order asked.
        Assert.Equal(Replay.Mints.Count, data.GetProperty("total").GetInt32());
        var details = data.GetProperty("details").EnumerateArray().ToList();
        Assert.Equal(Replay.MintsInFirstOrder, details.Select(d => d.GetProperty("mint_account").GetString()));
        foreach (var d in details)
        {
            var m = Replay.Mints[d.GetProperty("mint_account").GetString()!];
            Assert.Equal(m.Created!.Name, d.GetProperty("name").GetString());
            Assert.Equal(m.Created.Symbol, d.GetProperty("symbol").GetString());
            Assert.Equal(m.Created.Uri, d.GetProperty("uri").GetString());
            Assert.Equal(m.Created.Payer.ToString(), d.GetProperty("payer").GetString());
            Assert.Equal(m.Created.CurveAccount.ToString(), d.GetProperty("curve_account").GetString());
            Assert.Equal(m.LatestPrice!.Value.ToString(CultureInfo.InvariantCulture), d.GetProperty("latest_price").GetString());
            Assert.Equal((double)m.LatestPrice.Value / 1e28, d.GetProperty("latest_price_sol").GetDouble());
            Assert.Equal(m.LatestTradeTime, d.GetProperty("latest_trade_time").GetInt64());
            Assert.Equal(m.TotalSol.ToString(CultureInfo.InvariantCulture), d.GetProperty("total_sol_amount").GetString());
            Assert.Equal(m.TotalMargin.ToString(CultureInfo.InvariantCulture), d.GetProperty("total_margin_sol_amount").GetString());
            Assert.Equal(m.TotalProfit.ToString(CultureInfo.InvariantCulture), d.GetProperty("total_close_profit").GetString());
            Assert.Equal(m.Liquidations, d.GetProperty("total_force_liquidations").GetUInt64());
            Assert.Equal(m.Fees!.Value.Swap, d.GetProperty("swap_fee").GetUInt16());
            Assert.Equal(m.Fees.Value.Borrow, d.GetProperty("borrow_fee").GetUInt16());
            Assert.Equal(m.Fees.Value.Flag, d.GetProperty("fee_discount_flag").GetByte());
            Assert.Equal(m.Events.Count, d.GetProperty("total_events").GetInt32());
            Assert.Equal(m.First.Slot, d.GetProperty("first_seen_slot").GetUInt64());
            Assert.Equal(m.Latest.Slot, d.GetProperty("last_activity_slot").GetUInt64());
            Assert.Equal(Replay.Orders.Values.Count(o => o.Mint == m.Mint && o.State.OrderType == 1), d.GetProperty("open_long_orders").GetInt32());
            Assert.Equal(Replay.Orders.Values.Count(o => o.Mint == m.Mint && o.State.OrderType == 2), d.GetProperty("open_short_orders").GetInt32());
            // No IPFS gateway configured: no metadata.
            Assert.Equal(JsonValueKind.Null, d.GetProperty("uri_data").ValueKind);
        }
    }

    [Fact]
    public async Task A_mints_open_orders_equal_the_ledger_replayed_in_price_order()
    {
        Assert.True(Replay.Orders.Count > 10, "the ledger should leave open orders");
        foreach (var mint in Replay.Mints.Keys)
        {
            var up = await chain.WalkAsync($"/api/mint_orders?mint={mint}&type=up_orders", "orders", limit: 3);
            var down = await chain.WalkAsync($"/api/mint_orders?mint={mint}&type=down_orders", "orders", limit: 3);

            var shorts = Replay.Orders.Values.Where(o => o.Mint == mint && o.State.OrderType == 2)
                .OrderBy(o => o.State.LockLpStartPrice).ThenBy(o => PdaBytes(o.Pda), ByteOrder.Instance).ToList();
            var longs = Replay.Orders.Values.Where(o => o.Mint == mint && o.State.OrderType == 1)
                .OrderByDescending(o => o.State.LockLpStartPrice).ThenByDescending(o => PdaBytes(o.Pda), ByteOrder.Instance).ToList();
            AssertOrders(shorts, up);
            AssertOrders(longs, down);
            var first = await chain.GetDataAsync($"/api/mint_orders?mint={mint}&type=up_orders&limit=1");
            Assert.Equal(shorts.Count, first.GetProperty("total").GetInt32());
        }
    }

    [Fact]
    public async Task A_users_open_orders_come_with_the_mints_price_and_name()
    {
        var users = Replay.Orders.Values.GroupBy(o => o.State.User.ToString()).OrderByDescending(g => g.Count()).Take(4);
        foreach (var orders in users)
        {
            var served = await chain.WalkAsync($"/api/user_orders?user={orders.Key}", "orders", limit: 2);
            var want = orders.OrderByDescending(o => o.State.StartTime).ThenByDescending(o => PdaBytes(o.Pda), ByteOrder.Instance).ToList();
            AssertOrders(want, served);
            foreach (var o in served)
            {
                var m = Replay.Mints[o.GetProperty("mint_account").GetString()!];
                Assert.Equal(m.LatestPrice!.Value.ToString(CultureInfo.InvariantCulture), o.GetProperty("latest_price").GetString());
                Assert.Equal(m.Created!.Name, o.GetProperty("name").GetString());
                Assert.Equal(m.Created.Symbol, o.GetProperty("symbol").GetString());
                Assert.Equal(JsonValueKind.Null, o.GetProperty("image").ValueKind);
            }
            var ascending = await chain.WalkAsync($"/api/user_orders?user={orders.Key}&order_by=start_time_asc", "orders", limit: 5);
            Assert.Equal(served.Select(o => o.GetProperty("order_pda").GetString()).Reverse(), ascending.Select(o => o.GetProperty("order_pda").GetString()));
            var oneMint = orders.First().Mint;
            var filtered = await chain.WalkAsync($"/api/user_orders?user={orders.Key}&mint={oneMint}", "orders", limit: 1);
            AssertOrders(want.Where(o => o.Mint == oneMint).ToList(), filtered);
            Assert.Equal(orders.Count(), (await chain.GetDataAsync($"/api/user_orders?user={orders.Key}&limit=1")).GetProperty("total").GetInt32());
        }
    }

    [Fact]
    public async Task A_users_events_are_those_of_the_positions_they_own()
    {
        // The busiest users, and owners of liquidated orders (their liquidations were paid for by someone else).
        var users = Replay.EventsByUser.OrderByDescending(u => u.Value.Count).Take(3).Select(u => u.Key)
            .Concat(Replay.LiquidatedOwners.Take(3)).Distinct().ToList();
        Assert.Contains(Replay.EventsByUser.Values.SelectMany(e => e), e => e.Event is ForceLiquidateEvent);
        foreach (var user in users)
        {
            var want = Replay.EventsByUser[user];
            var newest = await chain.WalkAsync($"/api/user_event?user={user}", "events");
            AssertEvents(Enumerable.Reverse(want).ToList(), newest);
            var oldest = await chain.WalkAsync($"/api/user_event?user={user}&order_by=slot_asc", "events", limit: 50);
            AssertEvents(want, oldest);

            var mint = want[0].Event.MintAccount.ToString();
            var inMint = await chain.WalkAsync($"/api/user_event?user={user}&mint={mint}&order_by=slot_asc", "events", limit: 5);
            AssertEvents(want.Where(e => e.Event.MintAccount.ToString() == mint).ToList(), inMint);

            // total: all of the user's events, or those in the mint, whatever the page.
            Assert.Equal(want.Count, (await chain.GetDataAsync($"/api/user_event?user={user}&limit=1&page=2")).GetProperty("total").GetInt32());
            Assert.Equal(inMint.Count, (await chain.GetDataAsync($"/api/user_event?user={user}&mint={mint}&limit=1")).GetProperty("total").GetInt32());
        }
    }

    [Fact]
    public async Task A_user_without_events_has_a_total_of_zero()
    {
        var data = await chain.GetDataAsync("/api/user_event?user=11111111111111111111111111111111");

        Assert.Equal(0, data.GetProperty("total").GetInt32());
        Assert.Empty(data.GetProperty("events").EnumerateArray());
    }

    [Fact]
    public async Task The_admin_route_needs_the_key_and_lists_every_connection_and_topic()
    {
        var mint = Replay.MintsInFirstOrder[0];
        await using var client = await KlineSocketClient.ConnectAsync(chain.Server.BaseUri);
        await client.ReceiveUntilAsync("connection_success");
        await client.SendAsync(new { msg_type = "subscribe", symbol = mint, interval = "s30", subscription_id = "admin-check" });
        await client.ReceiveUntilAsync("subscription_confirmed");

        using var none = await chain.Server.Http.GetAsync("/api/kline/subscriptions", TestContext.Current.CancellationToken);
        await AssertErrorAsync(none, HttpStatusCode.Unauthorized, "Admin API key required");
        Assert.Equal("Bearer", none.Headers.WwwAuthenticate.Single().Scheme);
        using var wrong = new HttpRequestMessage(HttpMethod.Get, "/api/kline/subscriptions");
        wrong.Headers.Add("X-Admin-Key", RestChain.AdminKey + "x");
        await AssertErrorAsync(await chain.Server.Http.SendAsync(wrong, TestContext.Current.CancellationToken), HttpStatusCode.Unauthorized, "Invalid admin API key");

        foreach (var header in new[] { ("X-Admin-Key", RestChain.AdminKey), ("Authorization", "Bearer " + RestChain.AdminKey) })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/kline/subscriptions");
            request.Headers.Add(header.Item1, header.Item2);
            using var response = await chain.Server.Http.SendAsync(request, TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var data = (await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("data");
            var connection = Assert.Single(data.GetProperty("connections").EnumerateArray());
            var subscription = Assert.Single(connection.GetProperty("subscriptions").EnumerateArray());
            Assert.Equal(mint, subscription.GetProperty("symbol").GetString());
            Assert.Equal("s30", subscription.GetProperty("interval").GetString());
            Assert.Equal("admin-check", subscription.GetProperty("subscription_id").GetString());
            var topic = Assert.Single(data.GetProperty("topics").EnumerateArray());
            Assert.Equal(1, topic.GetProperty("subscribers").GetInt32());
            Assert.Equal(1, data.GetProperty("total_subscriptions").GetInt32());
        }
    }

    internal static async Task AssertErrorAsync(HttpResponseMessage response, HttpStatusCode status, string message)
    {
        Assert.Equal(status, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.False(body.GetProperty("success").GetBoolean());
        Assert.Equal(JsonValueKind.Null, body.GetProperty("data").ValueKind);
        Assert.Contains(message, body.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    /// <summary>Same events, same order, each with its identity, time and the fields that matter for its type.</summary>
    private static void AssertEvents(List<LedgerEvent> want, List<JsonElement> served)
    {
        Assert.Equal(want.Count, served.Count);
        var identities = new HashSet<(string, int)>();
        for (int i = 0; i < want.Count; i++)
        {
            var (e, s) = (want[i], served[i]);
            string where = $"event #{i} ({e.Signature}/{e.EventIndex})";
            Assert.True(e.Signature == s.GetProperty("signature").GetString(), $"{where}: got {s}");
            Assert.Equal(e.EventIndex, s.GetProperty("event_index").GetInt32());
            Assert.Equal(e.Slot, s.GetProperty("slot").GetUInt64());
            Assert.Equal(RestChain.Rfc3339(e.BlockTime), s.GetProperty("timestamp").GetString());
            Assert.Equal(RestChain.EventType(e.Event), s.GetProperty("event_type").GetString());
            Assert.Equal(e.Event.Payer.ToString(), s.GetProperty("payer").GetString());
            Assert.Equal(e.Event.MintAccount.ToString(), s.GetProperty("mint_account").GetString());
            Assert.True(identities.Add((e.Signature, e.EventIndex)), $"{where} served twice");
            switch (e.Event)
            {
                case BuySellEvent t:
                    Assert.Equal(t.SolAmount.ToString(CultureInfo.InvariantCulture), s.GetProperty("sol_amount").GetString());
                    Assert.Equal(t.TokenAmount.ToString(CultureInfo.InvariantCulture), s.GetProperty("token_amount").GetString());
                    Assert.Equal(t.Price.ToString(CultureInfo.InvariantCulture), s.GetProperty("latest_price").GetString());
                    Assert.Equal(t.IsBuy, s.GetProperty("is_buy").GetBoolean());
                    break;
                case LongShortEvent o:
                    Assert.Equal(o.OrderPda.ToString(), s.GetProperty("order_pda").GetString());
                    Assert.Equal(o.Order.User.ToString(), s.GetProperty("user").GetString());
                    Assert.Equal(o.Order.LockLpStartPrice.ToString(CultureInfo.InvariantCulture), s.GetProperty("lock_lp_start_price").GetString());
                    break;
                case PartialCloseEvent p:
                    Assert.Equal(p.UserCloseProfit.ToString(CultureInfo.InvariantCulture), s.GetProperty("user_close_profit").GetString());
                    Assert.Equal(p.Order.MarginSolAmount.ToString(CultureInfo.InvariantCulture), s.GetProperty("margin_sol_amount").GetString());
                    break;
                case FullCloseEvent f:
                    Assert.Equal(f.UserSolAccount.ToString(), s.GetProperty("user_sol_account").GetString());
                    Assert.Equal(f.FinalSolAmount.ToString(CultureInfo.InvariantCulture), s.GetProperty("final_sol_amount").GetString());
                    break;
                case ForceLiquidateEvent l:
                    Assert.Equal(l.OrderPda.ToString(), s.GetProperty("order_pda").GetString());
                    break;
                case TokenCreatedEvent c:
                    Assert.Equal(c.Name, s.GetProperty("name").GetString());
                    break;
                case MilestoneDiscountEvent d:
                    Assert.Equal(d.SwapFee, s.GetProperty("swap_fee").GetUInt16());
                    break;
            }
        }
    }

    private static void AssertOrders(List<LedgerReplay.Order> want, List<JsonElement> served)
    {
        Assert.Equal(want.Select(o => o.Pda), served.Select(o => o.GetProperty("order_pda").GetString()));
        for (int i = 0; i < want.Count; i++)
        {
            var (o, s) = (want[i], served[i]);
            Assert.Equal(o.State.User.ToString(), s.GetProperty("user").GetString());
            Assert.Equal(o.State.OrderType, s.GetProperty("order_type").GetByte());
            Assert.Equal(o.State.LockLpStartPrice.ToString(CultureInfo.InvariantCulture), s.GetProperty("lock_lp_start_price").GetString());
            Assert.Equal(o.State.MarginSolAmount.ToString(CultureInfo.InvariantCulture), s.GetProperty("margin_sol_amount").GetString());
            Assert.Equal(o.State.PositionAssetAmount.ToString(CultureInfo.InvariantCulture), s.GetProperty("position_asset_amount").GetString());
            Assert.Equal(o.State.StartTime, s.GetProperty("start_time").GetUInt32());
            Assert.Equal(o.Opened.Signature, s.GetProperty("open_signature").GetString());
            Assert.Equal(o.Updated.Signature, s.GetProperty("updated_signature").GetString());
        }
    }

    private static byte[] PdaBytes(string pda) => Core.Chain.PublicKey.Parse(pda).AsSpan().ToArray();

    private sealed class ByteOrder : IComparer<byte[]>
    {
        public static ByteOrder Instance { get; } = new();

        public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
    }
}
