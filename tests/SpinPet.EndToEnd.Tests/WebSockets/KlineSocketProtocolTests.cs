using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text.Json;
using SimpleBase;
using SpinPet.EndToEnd.Tests.Harness;
using SpinPet.TestSupport;

namespace SpinPet.EndToEnd.Tests.WebSockets;

/// <summary>Every request the /ws contract allows or refuses, against a real server over real sockets.</summary>
public sealed class KlineSocketProtocolTests(SharedServer shared) : IClassFixture<SharedServer>
{
    private const string Mint = "JBMmrp6jhksqnxDBskkmVvWHhJLaPBjgiMHEroJbUTBZ";

    [Fact]
    public async Task Connection_success_comes_first_with_client_id_time_and_intervals()
    {
        await using var client = await KlineSocketClient.ConnectAsync(shared.Server.BaseUri);
        var hello = (await client.ReceiveAsync())!.Value;
        Assert.Equal("connection_success", hello.GetProperty("type").GetString());
        Assert.True(Guid.TryParse(hello.GetProperty("client_id").GetString(), out _));
        long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        Assert.InRange(hello.GetProperty("server_time").GetInt64(), now - 60, now + 60);
        Assert.Equal(["s1", "s30", "m5"], hello.GetProperty("supported_intervals").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(JsonValueKind.Array, hello.GetProperty("supported_symbols").ValueKind);
        Assert.False(hello.TryGetProperty("data", out _), "connection_success is flat, without the envelope");
    }

    [Fact]
    public async Task With_compression_off_a_deflate_offer_is_not_answered_and_the_client_is_served_plain()
    {
        await using var client = await KlineSocketClient.ConnectAsync(shared.Server.BaseUri, new WebSocketDeflateOptions());
        Assert.Null(client.Extensions);
        await client.ReceiveUntilAsync("connection_success");
        await client.SendAsync(new { msg_type = "ping" });
        await client.ReceiveUntilAsync("pong");
    }

    [Theory]
    [InlineData("not json", "Malformed request")]
    [InlineData("[1,2]", "Malformed request")]
    [InlineData("{\"msg_type\":5}", "msg_type must be a string")]
    [InlineData("{\"msg_type\":\"dance\"}", "Unknown msg_type: dance")]
    [InlineData("{\"symbol\":\"x\"}", "msg_type is required")]
    [InlineData("{\"msg_type\":\"subscribe\",\"interval\":\"s1\"}", "symbol is required")]
    [InlineData("{\"msg_type\":\"subscribe\",\"symbol\":\"test_mint_account\",\"interval\":\"s1\"}", "Invalid symbol")]
    [InlineData("{\"msg_type\":\"subscribe\",\"symbol\":\"0OIl0OIl0OIl0OIl0OIl0OIl0OIl0OIl0OIl\",\"interval\":\"s1\"}", "Invalid symbol")]
    [InlineData("{\"msg_type\":\"subscribe\",\"symbol\":\"abc\",\"interval\":\"s1\"}", "Invalid symbol")]
    // A character outside ASCII: SimpleBase's decoder threw IndexOutOfRangeException on it instead of refusing it.
    [InlineData("{\"msg_type\":\"subscribe\",\"symbol\":\"\u00e9PNh4a2TYRcWqPfDeCXLYdTjAvB9GBnHTPTDbeyMd3c\",\"interval\":\"s1\"}", "Invalid symbol")]
    // Valid base58 of 32 to 44 characters that is not 32 bytes: 31 bytes (43 characters) and 33 bytes (44).
    [InlineData("{\"msg_type\":\"subscribe\",\"symbol\":\"4uQeVj5tqViQh7yWWGStvkEG1Zmhx6uasJtWCJziofL\",\"interval\":\"s1\"}", "Invalid symbol")]
    [InlineData("{\"msg_type\":\"subscribe\",\"symbol\":\"JEKNVnkbo3jma5nREBBJCDoXFVeKkD56V3xKrvRmWxFH\",\"interval\":\"s1\"}", "Invalid symbol")]
    [InlineData("{\"msg_type\":\"subscribe\",\"symbol\":123,\"interval\":\"s1\"}", "symbol must be a string")]
    [InlineData("{\"msg_type\":\"subscribe\",\"symbol\":\"" + Mint + "\",\"interval\":\"h7\"}", "Invalid interval: h7, must be one of: s1, s30, m5")]
    [InlineData("{\"msg_type\":\"subscribe\",\"symbol\":\"" + Mint + "\"}", "interval is required")]
    [InlineData("{\"msg_type\":\"subscribe\",\"symbol\":\"" + Mint + "\",\"interval\":\"s1\",\"limit\":0}", "Invalid limit: 0")]
    [InlineData("{\"msg_type\":\"subscribe\",\"symbol\":\"" + Mint + "\",\"interval\":\"s1\",\"limit\":1001}", "Invalid limit: 1001")]
    [InlineData("{\"msg_type\":\"history\",\"symbol\":\"" + Mint + "\",\"interval\":\"s1\",\"limit\":\"100\"}", "limit must be an integer")]
    [InlineData("{\"msg_type\":\"history\",\"symbol\":\"" + Mint + "\",\"interval\":\"s1\",\"from\":5,\"before\":9}", "from and before cannot be combined")]
    [InlineData("{\"msg_type\":\"history\",\"symbol\":\"" + Mint + "\",\"interval\":\"s1\",\"from\":-5}", "unix seconds")]
    public async Task Invalid_requests_get_error_1001_and_the_connection_stays_open(string request, string message)
    {
        await using var client = await ConnectedAsync();
        await client.SendAsync(request);
        var error = (await client.ReceiveAsync())!.Value;
        AssertError(error, 1001, message);
        await AssertStillServesAsync(client);
    }

    [Fact]
    public async Task Ping_gets_pong_in_the_envelope()
    {
        await using var client = await ConnectedAsync();
        await client.SendAsync(new { msg_type = "ping" });
        var pong = (await client.ReceiveAsync())!.Value;
        Assert.Equal("pong", pong.GetProperty("type").GetString());
        Assert.Equal(JsonValueKind.Object, pong.GetProperty("data").ValueKind);
        Assert.True(pong.GetProperty("timestamp").GetInt64() > 1_700_000_000_000);
    }

    [Fact]
    public async Task Unsubscribing_a_topic_the_client_does_not_have_is_confirmed_with_success_false()
    {
        await using var client = await ConnectedAsync();
        await client.SendAsync(new { msg_type = "unsubscribe", symbol = Mint, interval = "m5", subscription_id = "nope" });
        var reply = (await client.ReceiveAsync())!.Value;
        Assert.Equal("unsubscribe_confirmed", reply.GetProperty("type").GetString());
        Assert.False(reply.GetProperty("data").GetProperty("success").GetBoolean());
        Assert.Equal("nope", reply.GetProperty("data").GetProperty("subscription_id").GetString());
    }

    [Fact]
    public async Task Subscribe_answers_history_then_confirmation_and_unsubscribe_confirms()
    {
        await using var client = await ConnectedAsync();
        await client.SendAsync(new { msg_type = "subscribe", symbol = Mint, interval = "s30", subscription_id = "sub_1", limit = 10 });
        var history = (await client.ReceiveAsync())!.Value;
        Assert.Equal("history_data", history.GetProperty("type").GetString());
        Assert.Equal(Mint, history.GetProperty("data").GetProperty("symbol").GetString());
        Assert.Equal("s30", history.GetProperty("data").GetProperty("interval").GetString());
        Assert.Equal(0, history.GetProperty("data").GetProperty("data").GetArrayLength());
        Assert.False(history.GetProperty("data").GetProperty("has_more").GetBoolean());
        Assert.Equal(0, history.GetProperty("data").GetProperty("total_count").GetInt64());
        var confirmed = (await client.ReceiveAsync())!.Value;
        Assert.Equal("subscription_confirmed", confirmed.GetProperty("type").GetString());
        Assert.Equal("sub_1", confirmed.GetProperty("data").GetProperty("subscription_id").GetString());
        Assert.True(confirmed.GetProperty("data").GetProperty("success").GetBoolean());
        Assert.Equal("订阅成功", confirmed.GetProperty("data").GetProperty("message").GetString());

        await client.SendAsync(new { msg_type = "unsubscribe", symbol = Mint, interval = "s30", subscription_id = "sub_1" });
        var unsubscribed = (await client.ReceiveAsync())!.Value;
        Assert.Equal("unsubscribe_confirmed", unsubscribed.GetProperty("type").GetString());
        Assert.True(unsubscribed.GetProperty("data").GetProperty("success").GetBoolean());
    }

    [Fact]
    public async Task Subscribing_again_is_counted_once_and_answered_again()
    {
        // The server is shared by this class: wait until earlier tests' connections have let go of theirs.
        await Eventually.TrueAsync(async () => await SubscriptionsAsync() == 0, TimeSpan.FromSeconds(30), "no subscriptions left from earlier tests");
        await using var client = await ConnectedAsync();
        for (int i = 0; i < 2; i++)
        {
            await client.SendAsync(new { msg_type = "subscribe", symbol = Mint, interval = "m5", subscription_id = $"again_{i}" });
            Assert.Equal("history_data", (await client.ReceiveAsync())!.Value.GetProperty("type").GetString());
            var confirmed = (await client.ReceiveAsync())!.Value;
            Assert.Equal($"again_{i}", confirmed.GetProperty("data").GetProperty("subscription_id").GetString());
        }
        // Requests are handled in order: once the pong is back, the second subscribe was fully counted.
        await AssertStillServesAsync(client);
        Assert.Equal(1, await SubscriptionsAsync());
    }

    [Fact]
    public async Task The_subscription_limit_refuses_with_1002()
    {
        await using var client = await ConnectedAsync();
        for (int i = 0; i < 100; i++)
        {
            await client.SendAsync(new { msg_type = "subscribe", symbol = RandomMint(), interval = "s1" });
            await client.ReceiveUntilAsync("subscription_confirmed");
        }
        await client.SendAsync(new { msg_type = "subscribe", symbol = RandomMint(), interval = "s1" });
        AssertError((await client.ReceiveAsync())!.Value, 1002, "at most 100 subscriptions");
        await AssertStillServesAsync(client);
    }

    [Fact]
    public async Task A_binary_frame_gets_1001_and_the_connection_stays_open()
    {
        await using var client = await ConnectedAsync();
        await client.Socket.SendAsync(new byte[] { 1, 2, 3 }, WebSocketMessageType.Binary, true, CancellationToken.None);
        AssertError((await client.ReceiveAsync())!.Value, 1001, "Binary messages are not supported");
        await AssertStillServesAsync(client);
    }

    [Fact]
    public async Task A_binary_flood_gets_1004_past_the_burst_like_text()
    {
        await using var client = await ConnectedAsync();
        for (int i = 0; i < 400; i++)
        {
            await client.Socket.SendAsync(new byte[] { 1, 2, 3 }, WebSocketMessageType.Binary, true, CancellationToken.None);
        }
        int refused = 0, limited = 0;
        for (int i = 0; i < 400; i++)
        {
            var message = (await client.ReceiveAsync())!.Value;
            if (message.GetProperty("code").GetInt32() == 1001)
            {
                AssertError(message, 1001, "Binary messages are not supported");
                refused++;
            }
            else
            {
                AssertError(message, 1004, "Rate limited");
                limited++;
            }
        }
        Assert.InRange(refused, 200, 260);
        Assert.Equal(400 - refused, limited);
    }

    [Fact]
    public async Task A_one_megabyte_message_gets_1005_then_close_1009()
    {
        await using var client = await ConnectedAsync();
        var huge = "{\"msg_type\":\"ping\",\"pad\":\"" + new string('x', 1 << 20) + "\"}";
        await client.SendAsync(huge);
        AssertError((await client.ReceiveAsync())!.Value, 1005, "Message too large");
        Assert.Null(await client.ReceiveAsync());
        Assert.Equal((WebSocketCloseStatus)1009, client.Socket.CloseStatus);
    }

    [Fact]
    public async Task A_flood_gets_1004_past_the_burst_and_the_connection_stays_open()
    {
        await using var client = await ConnectedAsync();
        for (int i = 0; i < 400; i++)
        {
            await client.SendAsync("{\"msg_type\":\"ping\"}");
        }
        int pongs = 0, limited = 0;
        for (int i = 0; i < 400; i++)
        {
            var message = (await client.ReceiveAsync())!.Value;
            if (message.GetProperty("type").GetString() == "pong")
            {
                pongs++;
            }
            else
            {
                AssertError(message, 1004, "Rate limited");
                limited++;
            }
        }
        Assert.InRange(pongs, 200, 260);
        Assert.Equal(400 - pongs, limited);
    }

    [Theory]
    [InlineData(65, 'a')]        // one character too many
    [InlineData(60_000, 'x')]    // a message just under websocket.max_message_bytes: used to be kept twice per subscription
    [InlineData(10_000, '"')]    // escaped, six times longer on the wire and once echoed as JSON
    [InlineData(8, ' ')]
    [InlineData(8, '/')]
    [InlineData(8, 'é')]
    public async Task A_subscription_id_past_64_characters_or_outside_the_allowed_set_gets_1001_and_is_neither_kept_nor_echoed(int length, char character)
    {
        string id = "id" + new string(character, length - 2);
        await Eventually.TrueAsync(async () => await SubscriptionsAsync() == 0, TimeSpan.FromSeconds(30), "no subscriptions left from earlier tests");
        await using var client = await ConnectedAsync();
        foreach (var msgType in new[] { "subscribe", "unsubscribe" })
        {
            await client.SendAsync(new { msg_type = msgType, symbol = Mint, interval = "s1", subscription_id = id });
            var error = (await client.ReceiveAsync())!.Value;
            AssertError(error, 1001, "Invalid subscription_id: at most 64 characters of A-Z a-z 0-9 _ . : -");
            Assert.DoesNotContain(id, error.GetRawText(), StringComparison.Ordinal);
            Assert.DoesNotContain(id[..8], error.GetProperty("message").GetString(), StringComparison.Ordinal);
        }
        await AssertStillServesAsync(client);
        Assert.Equal(0, await SubscriptionsAsync());
    }

    [Fact]
    public async Task A_subscription_id_of_64_allowed_characters_is_kept_and_echoed_and_escapes_are_read()
    {
        await using var client = await ConnectedAsync();
        string id = "Az09_.:-" + new string('k', 56);
        await client.SendAsync(new { msg_type = "subscribe", symbol = Mint, interval = "s1", subscription_id = id });
        Assert.Equal(id, (await client.ReceiveUntilAsync("subscription_confirmed")).Match.GetProperty("data").GetProperty("subscription_id").GetString());
        // JSON escapes of allowed characters are the same id.
        await client.SendAsync($$"""{"msg_type":"unsubscribe","symbol":"{{Mint}}","interval":"s1","subscription_id":"Az09_.:-{{new string('k', 56)}}"}""");
        var unsubscribed = (await client.ReceiveAsync())!.Value;
        Assert.Equal("unsubscribe_confirmed", unsubscribed.GetProperty("type").GetString());
        Assert.Equal(id, unsubscribed.GetProperty("data").GetProperty("subscription_id").GetString());
        Assert.True(unsubscribed.GetProperty("data").GetProperty("success").GetBoolean());
        // A null id stays allowed.
        await client.SendAsync($$"""{"msg_type":"subscribe","symbol":"{{Mint}}","interval":"s30","subscription_id":null}""");
        Assert.Equal(JsonValueKind.Null, (await client.ReceiveUntilAsync("subscription_confirmed")).Match.GetProperty("data").GetProperty("subscription_id").ValueKind);
    }

    [Fact]
    public async Task A_plain_get_of_the_endpoint_is_refused_with_400()
    {
        var response = await shared.Server.Http.GetAsync("/ws", TestContext.Current.CancellationToken);
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, response.StatusCode);
    }

    private async Task<KlineSocketClient> ConnectedAsync()
    {
        var client = await KlineSocketClient.ConnectAsync(shared.Server.BaseUri);
        Assert.Equal("connection_success", (await client.ReceiveAsync())!.Value.GetProperty("type").GetString());
        return client;
    }

    private async Task<long> SubscriptionsAsync()
    {
        var status = await shared.Server.Http.GetFromJsonAsync<JsonElement>("/api/kline/status");
        return status.GetProperty("data").GetProperty("stats").GetProperty("total_subscriptions").GetInt64();
    }

    private static async Task AssertStillServesAsync(KlineSocketClient client)
    {
        await client.SendAsync(new { msg_type = "ping" });
        Assert.Equal("pong", (await client.ReceiveUntilAsync("pong")).Match.GetProperty("type").GetString());
    }

    private static void AssertError(JsonElement message, int code, string text)
    {
        Assert.Equal("error", message.GetProperty("type").GetString());
        Assert.Equal(code, message.GetProperty("code").GetInt32());
        Assert.Equal(code, message.GetProperty("data").GetProperty("code").GetInt32());
        Assert.Contains(text, message.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(message.GetProperty("message").GetString(), message.GetProperty("data").GetProperty("message").GetString());
    }

    private static string RandomMint() => Base58.Bitcoin.Encode(RandomNumberGenerator.GetBytes(32));
}
