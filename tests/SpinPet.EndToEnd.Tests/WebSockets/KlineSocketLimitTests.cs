using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using SpinPet.EndToEnd.Tests.Harness;
using SpinPet.TestSupport;

namespace SpinPet.EndToEnd.Tests.WebSockets;

/// <summary>Admission limits and idle handling from configuration, on servers configured for each case.</summary>
public sealed class KlineSocketLimitTests
{
    [Fact]
    public async Task Connections_beyond_the_limit_are_refused_with_503_until_one_leaves()
    {
        await using var server = await StartAsync(new() { ["SPIN_WEBSOCKET__MAX_CONNECTIONS"] = "3" });
        var open = new List<StalledClient>();
        for (int i = 0; i < 3; i++)
        {
            open.Add(await StalledClient.ConnectAsync(server.BaseUri));
        }
        var refused = await Assert.ThrowsAsync<UpgradeRefusedException>(() => StalledClient.ConnectAsync(server.BaseUri));
        Assert.StartsWith("HTTP/1.1 503", refused.ResponseHead, StringComparison.Ordinal);

        open[0].Dispose();
        await Eventually.TrueAsync(async () => await ActiveAsync(server) == 2, TimeSpan.FromSeconds(30), "the slot freed");
        using var again = await StalledClient.ConnectAsync(server.BaseUri);
        foreach (var client in open.Skip(1))
        {
            client.Dispose();
        }
    }

    [Fact]
    public async Task Connections_per_address_are_limited_per_address()
    {
        await using var server = await StartAsync(new() { ["SPIN_WEBSOCKET__MAX_CONNECTIONS_PER_IP"] = "2" });
        using var first = await StalledClient.ConnectAsync(server.BaseUri, "127.0.0.1");
        using var second = await StalledClient.ConnectAsync(server.BaseUri, "127.0.0.1");
        var refused = await Assert.ThrowsAsync<UpgradeRefusedException>(() => StalledClient.ConnectAsync(server.BaseUri, "127.0.0.1"));
        Assert.StartsWith("HTTP/1.1 503", refused.ResponseHead, StringComparison.Ordinal);
        // Another address has its own allowance.
        using var other = await StalledClient.ConnectAsync(server.BaseUri, "127.0.0.2");
    }

    [Fact]
    public async Task Browser_origins_outside_the_allow_list_are_refused_with_403()
    {
        await using var server = await StartAsync(new() { ["SPIN_WEBSOCKET__ALLOWED_ORIGINS__0"] = "https://app.example" });
        var refused = await Assert.ThrowsAsync<UpgradeRefusedException>(() => StalledClient.ConnectAsync(server.BaseUri, origin: "https://evil.example"));
        Assert.StartsWith("HTTP/1.1 403", refused.ResponseHead, StringComparison.Ordinal);
        using var allowed = await StalledClient.ConnectAsync(server.BaseUri, origin: "https://app.example");
        using var noOrigin = await StalledClient.ConnectAsync(server.BaseUri);
        // The server's own chart page (same origin as the request) needs no listing.
        using var sameOrigin = await StalledClient.ConnectAsync(server.BaseUri, origin: server.BaseUri.GetLeftPart(UriPartial.Authority));
    }

    [Fact]
    public async Task A_client_that_never_answers_pings_is_closed_while_one_that_answers_stays()
    {
        await using var server = await StartAsync(new()
        {
            ["SPIN_WEBSOCKET__PING_INTERVAL"] = "1000",
            ["SPIN_WEBSOCKET__PING_TIMEOUT"] = "2500",
        });
        // A reading ClientWebSocket answers server pings by itself; the stalled client reads and answers nothing.
        await using var answering = await RecordingClient.StartAsync(server.BaseUri, [], "answering");
        using var silent = await StalledClient.ConnectAsync(server.BaseUri);
        var connectedAt = DateTime.UtcNow;
        // 1001 (going away) with a close frame: the idle close is a handshake, not an abort.
        Assert.Equal(1001, await silent.ReadCloseCodeAsync(TimeSpan.FromSeconds(30)));
        Assert.True(DateTime.UtcNow - connectedAt >= TimeSpan.FromMilliseconds(2400), "closed only after the ping timeout");
        // The answering client outlived the timeout: it is the one connection left.
        await Eventually.TrueAsync(async () => await ActiveAsync(server) == 1, TimeSpan.FromSeconds(10), "only the answering client left");
    }

    [Fact]
    public async Task After_the_burst_the_rate_limit_lets_messages_through_again_at_its_refill_rate()
    {
        await using var server = await StartAsync(new()
        {
            ["SPIN_WEBSOCKET__MAX_MESSAGES_PER_SECOND"] = "1",
            ["SPIN_WEBSOCKET__MESSAGE_BURST"] = "2",
        });
        await using var client = await KlineSocketClient.ConnectAsync(server.BaseUri);
        await client.ReceiveUntilAsync("connection_success");
        Assert.Equal(["pong", "pong", "error"], await PingAsync(client, 3));

        // The bucket refills (one token a second): a later ping is answered again, not refused for good.
        await Eventually.TrueAsync(async () => (await PingAsync(client, 1))[0] == "pong", TimeSpan.FromSeconds(10), "a ping answered after the refill");
        // One token, not a new burst: of two pings sent right after, at least one is refused.
        Assert.Contains("error", await PingAsync(client, 2));
    }

    [Fact]
    public async Task Ping_and_continuation_frames_take_tokens_and_those_past_the_burst_are_dropped()
    {
        await using var server = await StartAsync(new()
        {
            ["SPIN_WEBSOCKET__MAX_MESSAGES_PER_SECOND"] = "1",
            ["SPIN_WEBSOCKET__MESSAGE_BURST"] = "10",
        });
        var wait = TimeSpan.FromSeconds(30);

        // A ping flood: each ping takes a token, those past the burst get no pong, and the bucket is empty after it.
        using (var pinger = await StalledClient.ConnectAsync(server.BaseUri))
        {
            Assert.Equal(0x1, (await pinger.ReadFrameAsync(wait)).Opcode);    // connection_success
            for (int i = 0; i < 40; i++)
            {
                await pinger.SendFrameAsync(0x89, Encoding.ASCII.GetBytes($"p{i}"));
            }
            await pinger.SendAsync("{\"msg_type\":\"ping\"}");
            int pongs = 0;
            var frame = await pinger.ReadFrameAsync(wait);
            for (; frame.Opcode == 0xA; frame = await pinger.ReadFrameAsync(wait))
            {
                pongs++;
            }
            // 10 tokens, and at most a few more refilled at 1 a second while the flood was read.
            Assert.InRange(pongs, 10, 15);
            using var error = JsonDocument.Parse(frame.Payload);
            Assert.Equal(1004, error.RootElement.GetProperty("code").GetInt32());
        }

        // A request cut into 40 fragments takes 40 tokens: it is dropped whole and answered 1004, not served.
        using (var fragmenter = await StalledClient.ConnectAsync(server.BaseUri))
        {
            await fragmenter.ReadFrameAsync(wait);
            byte[] request = Encoding.ASCII.GetBytes("{\"msg_type\":\"ping\"}");
            await fragmenter.SendFrameAsync(0x01, request[..1]);
            for (int i = 1; i < 39; i++)
            {
                await fragmenter.SendFrameAsync(0x00, i < request.Length ? request[i..(i + 1)] : []);
            }
            await fragmenter.SendFrameAsync(0x80, []);
            var answer = await fragmenter.ReadFrameAsync(wait);
            using var error = JsonDocument.Parse(answer.Payload);
            Assert.Equal(1004, error.RootElement.GetProperty("code").GetInt32());
        }

        var stats = (await server.Http.GetFromJsonAsync<JsonElement>("/api/kline/status", TestContext.Current.CancellationToken)).GetProperty("data").GetProperty("stats");
        Assert.True(stats.GetProperty("rate_limited_messages").GetInt64() >= 50, "refused frames are counted");
    }

    private static async Task<List<string>> PingAsync(KlineSocketClient client, int count)
    {
        for (int i = 0; i < count; i++)
        {
            await client.SendAsync("{\"msg_type\":\"ping\"}");
        }
        var types = new List<string>();
        for (int i = 0; i < count; i++)
        {
            var message = (await client.ReceiveAsync())!.Value;
            string type = message.GetProperty("type").GetString()!;
            if (type == "error")
            {
                Assert.Equal(1004, message.GetProperty("code").GetInt32());
            }
            types.Add(type);
        }
        return types;
    }

    [Fact]
    public async Task With_the_kline_service_disabled_there_is_no_ws_endpoint()
    {
        await using var server = await StartAsync(new() { ["SPIN_KLINE__ENABLE_KLINE_SERVICE"] = "false" });
        var refused = await Assert.ThrowsAsync<UpgradeRefusedException>(() => StalledClient.ConnectAsync(server.BaseUri));
        Assert.StartsWith("HTTP/1.1 404", refused.ResponseHead, StringComparison.Ordinal);
    }

    private static async Task<ServerProcess> StartAsync(Dictionary<string, string> settings)
    {
        var database = Path.Combine(Path.GetTempPath(), "spinpet-limits-" + Guid.NewGuid().ToString("N"));
        settings["SPIN_DATABASE__ROCKSDB_PATH"] = database;
        settings["SPIN_SOLANA__ENABLE_EVENT_LISTENER"] = "false";
        return await ServerProcess.StartAsync(settings);
    }

    private static async Task<long> ActiveAsync(ServerProcess server) =>
        (await server.Http.GetFromJsonAsync<JsonElement>("/api/kline/status")).GetProperty("data").GetProperty("stats").GetProperty("active_connections").GetInt64();
}
