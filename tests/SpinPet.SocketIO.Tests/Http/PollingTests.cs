using System.Net;
using SpinPet.SocketIO.Tests.Hosting;
using SpinPet.TestSupport;

namespace SpinPet.SocketIO.Tests.Http;

/// <summary>Engine.IO long-polling driven by hand over real HTTP: the packets on the wire, and what bad input gets.</summary>
public sealed class PollingTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Connect_event_ack_and_a_payload_of_several_packets_round_trip()
    {
        await using var host = await SocketIOTestHost.StartAsync();
        using var client = await ConnectAsync(host);

        await client.PostOkAsync("""42/kline,5["echo",{"a":1}]""");
        Assert.Contains("""43/kline,5[{"a":1}]""", await client.GetUntilAsync(p => p.StartsWith("43", StringComparison.Ordinal)));

        // Two packets in one POST, separated by 0x1E, are both handled, in order.
        await client.PostOkAsync("42/kline,[\"echo\",{\"x\":1}]\u001e42/kline,[\"echo\",{\"x\":2}]");
        var seen = await client.GetUntilAsync(p => p.Contains("\"x\":2", StringComparison.Ordinal));
        Assert.Equal(["""42/kline,["echo",{"x":1}]""", """42/kline,["echo",{"x":2}]"""], seen.Where(p => p.Contains("\"x\"", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_second_get_while_one_is_held_is_refused_and_ends_the_session()
    {
        await using var host = await SocketIOTestHost.StartAsync();
        using var client = await ConnectAsync(host);
        var held = client.GetAsync();
        await Eventually.TrueAsync(() => host.Server.FindSession(client.Sid)?.IsPollPending == true, Wait, "the first GET to be held");

        using var http = new HttpClient();
        using var second = await http.GetAsync(client.SessionUrl, TestContext.Current.CancellationToken);
        await EngineErrorAssert.IsAsync(second, HttpStatusCode.BadRequest, 3, "overlapping poll request");
        Assert.Equal(["1"], await held);
        using var after = await http.GetAsync(client.SessionUrl, TestContext.Current.CancellationToken);
        await EngineErrorAssert.IsAsync(after, HttpStatusCode.BadRequest, 1, "Session ID unknown");
        Assert.Equal(1, host.Server.Counters.ProtocolErrors);
        Assert.Contains(host.Kline.Disconnected, d => d.Reason == SocketIODisconnectReason.ProtocolError);
    }

    [Theory]
    [InlineData("9")]
    [InlineData("")]
    [InlineData("bAAECAw==")]
    [InlineData("2")]
    [InlineData("4")]
    [InlineData("4x")]
    [InlineData("47")]
    [InlineData("""42/other,["echo",{}]""")]
    [InlineData("""40/kline,[1]""")]
    [InlineData("""41/kline,{}""")]
    [InlineData("""44/kline,{"message":"x"}""")]
    [InlineData("""43/kline,1{}""")]
    [InlineData("""4212345678901234567["echo",{}]""")]
    public async Task Protocol_garbage_is_refused_and_ends_the_session(string packet)
    {
        await using var host = await SocketIOTestHost.StartAsync();
        using var client = await ConnectAsync(host);
        using var response = await client.PostAsync(packet);
        await EngineErrorAssert.IsAsync(response, HttpStatusCode.BadRequest, 3, "bad packet");
        Assert.Equal(1, host.Server.Counters.ProtocolErrors);
        await Eventually.TrueAsync(() => host.Kline.Disconnected.Any(d => d.Reason == SocketIODisconnectReason.ProtocolError), Wait,
            "the namespace to hear of the end");
        Assert.Equal(["1"], await client.GetAsync());
        Assert.Equal(0, host.Server.Counters.ActiveSessions);
    }

    [Theory]
    [InlineData("""42/kline,{"a":1}""")]
    [InlineData("""42/kline,["echo",{bad""")]
    [InlineData("""42/kline,["connect",{}]""")]
    [InlineData("""42/kline,[{"a":1}]""")]
    [InlineData("""42/kline,[]""")]
    [InlineData("""42/kline,["echo",{}]trailing""")]
    public async Task A_bad_event_payload_is_answered_with_error_1001_and_the_session_stays(string packet)
    {
        await using var host = await SocketIOTestHost.StartAsync();
        using var client = await ConnectAsync(host);
        await client.PostOkAsync(packet);
        var seen = await client.GetUntilAsync(p => p.Contains("\"error\"", StringComparison.Ordinal));
        Assert.Contains("""42/kline,["error",{"code":1001,"message":"InvalidPayload"}]""", seen);
        Assert.Equal(1, host.Server.Counters.InvalidPayloads);

        await client.PostOkAsync("""42/kline,9["echo",{"still":"open"}]""");
        Assert.Contains("""43/kline,9[{"still":"open"}]""", await client.GetUntilAsync(p => p.StartsWith("43", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_bad_event_payload_with_an_ack_id_is_answered_on_the_ack()
    {
        await using var host = await SocketIOTestHost.StartAsync();
        using var client = await ConnectAsync(host);
        await client.PostOkAsync("42/kline,17\"not an array\"");
        Assert.Contains("""43/kline,17[{"code":1001,"message":"InvalidPayload"}]""",
            await client.GetUntilAsync(p => p.StartsWith("43", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_binary_event_gets_an_error_and_the_session_closes_after_it()
    {
        await using var host = await SocketIOTestHost.StartAsync();
        using var client = await ConnectAsync(host);
        await client.PostOkAsync("""451-/kline,["echo",{"_placeholder":true,"num":0}]""");
        var packets = await client.GetAsync();
        Assert.Equal(["""42/kline,["error",{"code":1001,"message":"BinaryNotSupported"}]""", "1"], packets);
        Assert.Contains(host.Kline.Disconnected, d => d.Reason == SocketIODisconnectReason.Refused);
    }

    [Fact]
    public async Task An_event_over_the_packet_limit_gets_error_1005_and_the_session_closes_after_it()
    {
        await using var host = await SocketIOTestHost.StartAsync(new SocketIOServerOptions { MaxPacketBytes = 2048 });
        using var client = await ConnectAsync(host);
        await client.PostOkAsync($$"""42/kline,["echo",{"pad":"{{new string('x', 3000)}}"}]""");
        var packets = await client.GetAsync();
        Assert.Equal(["""42/kline,["error",{"code":1005,"message":"TooLarge"}]""", "1"], packets);
        Assert.Equal(1, host.Server.Counters.TooLarge);
    }

    [Fact]
    public async Task A_payload_over_max_payload_gets_413_and_ends_the_session()
    {
        await using var host = await SocketIOTestHost.StartAsync(new SocketIOServerOptions { MaxPayloadBytes = 4096, MaxPacketBytes = 4096 });
        using var client = await ConnectAsync(host);
        using var response = await client.PostAsync($$"""42/kline,["echo",{"pad":"{{new string('x', 5000)}}"}]""");
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal(1, host.Server.Counters.TooLarge);
        Assert.Equal(["1"], await client.GetAsync());
    }

    [Fact]
    public async Task A_binary_content_type_is_refused()
    {
        await using var host = await SocketIOTestHost.StartAsync();
        using var client = await ConnectAsync(host);
        using var response = await client.PostAsync("""42/kline,["echo",{}]""", "application/octet-stream");
        await EngineErrorAssert.IsAsync(response, HttpStatusCode.BadRequest, 3);
        Assert.Equal(1, host.Server.Counters.ProtocolErrors);
    }

    [Fact]
    public async Task Events_past_the_rate_limit_get_error_1004()
    {
        // Three tokens that refill at one a second: CONNECT takes one, so two of the five echoes pass.
        await using var host = await SocketIOTestHost.StartAsync(new SocketIOServerOptions { PacketBurst = 3, PacketsPerSecond = 1 });
        using var client = await ConnectAsync(host);
        await client.PostOkAsync(string.Join('\u001e', Enumerable.Range(1, 5).Select(i => $$"""42/kline,["echo",{"i":{{i}}}]""")));
        // Every one of the five is answered: an echo or an error.
        var seen = new List<string>();
        while (seen.Count(p => p.Contains("\"i\":", StringComparison.Ordinal) || p.Contains("1004", StringComparison.Ordinal)) < 5)
        {
            seen.AddRange(await client.GetAsync());
        }
        Assert.True(seen.Count(p => p.Contains("1004", StringComparison.Ordinal)) >= 2, string.Join('\n', seen));
        Assert.Contains("""42/kline,["echo",{"i":1}]""", seen);
        Assert.True(host.Server.Counters.RateLimited >= 2);
    }

    [Fact]
    public async Task A_session_that_does_not_poll_is_closed_when_its_outbox_passes_the_bound()
    {
        await using var host = await SocketIOTestHost.StartAsync(new SocketIOServerOptions { MaxOutboxBytes = 64 * 1024, MaxPacketBytes = 16 * 1024 });
        using var client = await ConnectAsync(host);
        string pad = new('x', 10_000);
        await client.PostOkAsync(string.Join('\u001e', Enumerable.Range(1, 8).Select(i => $$"""42/kline,["echo",{"pad":"{{pad}}"}]""")));
        Assert.Equal(1, host.Server.Counters.SlowConsumerCloses);
        Assert.Contains(host.Kline.Disconnected, d => d.Reason == SocketIODisconnectReason.SlowConsumer);
        // What was queued is dropped; the next GET hears the close.
        Assert.Equal(["1"], await client.GetAsync());
    }

    [Fact]
    public async Task Unanswered_pings_end_a_polling_session()
    {
        await using var host = await SocketIOTestHost.StartAsync(new SocketIOServerOptions
        {
            PingInterval = TimeSpan.FromMilliseconds(200),
            PingTimeout = TimeSpan.FromSeconds(1),
        });
        using var client = await ConnectAsync(host);
        Assert.Contains("2", await client.GetUntilAsync(p => p == "2"));
        await Eventually.TrueAsync(() => host.Server.Counters.PingTimeouts == 1 && host.Server.Counters.ActiveSessions == 0, Wait,
            "the session to end without a pong");
        Assert.Contains(host.Kline.Disconnected, d => d.Reason == SocketIODisconnectReason.PingTimeout);
        using var http = new HttpClient();
        using var after = await http.GetAsync(client.SessionUrl, TestContext.Current.CancellationToken);
        await EngineErrorAssert.IsAsync(after, HttpStatusCode.BadRequest, 1);
    }

    [Fact]
    public async Task A_get_held_when_the_session_times_out_is_answered_with_the_close_packet()
    {
        await using var host = await SocketIOTestHost.StartAsync(new SocketIOServerOptions
        {
            PingInterval = TimeSpan.FromMilliseconds(200),
            PingTimeout = TimeSpan.FromSeconds(1),
        });
        using var client = await ConnectAsync(host);
        await client.GetUntilAsync(p => p == "2");
        // No pong: the GET now held is the one that hears the end.
        Assert.Equal(["1"], await client.GetAsync());
        Assert.Equal(1, host.Server.Counters.PingTimeouts);
    }

    [Fact]
    public async Task The_close_packet_ends_the_session()
    {
        await using var host = await SocketIOTestHost.StartAsync();
        using var client = await ConnectAsync(host);
        await client.PostOkAsync("1");
        Assert.Equal(0, host.Server.Counters.ActiveSessions);
        Assert.Contains(host.Kline.Disconnected, d => d.Reason == SocketIODisconnectReason.TransportClose);
    }

    [Fact]
    public async Task The_root_namespace_connects_and_serves_nothing()
    {
        await using var host = await SocketIOTestHost.StartAsync();
        using var client = new PollingClient(new Uri(host.BaseUrl));
        await client.OpenAsync();
        await client.PostOkAsync("40");
        Assert.StartsWith("40{\"sid\":", (await client.GetAsync())[0], StringComparison.Ordinal);
        await client.PostOkAsync("""42["echo",{}]""");
        await client.PostOkAsync("40/other,");
        Assert.Equal(["""44/other,{"message":"Invalid namespace"}"""], await client.GetAsync());
        Assert.Empty(host.Kline.Seen);
    }

    /// <summary>A polling session joined to /kline, its CONNECT reply and greeting already read.</summary>
    private static async Task<PollingClient> ConnectAsync(SocketIOTestHost host)
    {
        var client = new PollingClient(new Uri(host.BaseUrl));
        await client.OpenAsync();
        await client.PostOkAsync("40/kline,");
        var seen = await client.GetUntilAsync(p => p.Contains("connection_success", StringComparison.Ordinal));
        Assert.Contains(seen, p => p.StartsWith("40/kline,{\"sid\":\"", StringComparison.Ordinal));
        return client;
    }
}
