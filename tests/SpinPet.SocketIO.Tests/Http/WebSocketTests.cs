using System.Net;
using System.Net.WebSockets;
using SpinPet.SocketIO.Tests.Hosting;
using SpinPet.TestSupport;

namespace SpinPet.SocketIO.Tests.Http;

/// <summary>The websocket transport driven by hand: the handshake packet, events, close codes for bad input, and the upgrade.</summary>
public sealed class WebSocketTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Theory]
    [InlineData(WebSocketImplementation.AspNetCore)]
    [InlineData(WebSocketImplementation.OwnConnection)]
    public async Task Websocket_session_sends_the_open_packet_then_carries_events_and_acks(WebSocketImplementation implementation)
    {
        await using var host = await SocketIOTestHost.StartAsync(transport: implementation);
        using var socket = await SocketClient.ConnectAsync(host.WebSocketEndpoint("EIO=4&transport=websocket"));
        string? open = await socket.ReceiveAsync();
        Assert.NotNull(open);
        Assert.Matches("""^0\{"sid":"[A-Za-z0-9_-]{20}","upgrades":\[\],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1048576\}$""", open);

        await socket.SendAsync("40/kline,{\"token\":\"t\"}");
        var greeting = await socket.ReceiveUntilAsync(p => p.Contains("connection_success", StringComparison.Ordinal));
        Assert.StartsWith("40/kline,{\"sid\":\"", greeting[0], StringComparison.Ordinal);
        Assert.Contains("connect {\"token\":\"t\"}", host.Kline.Seen);

        await socket.SendAsync("""42/kline,7["echo",{"a":1}]""");
        Assert.Equal("""43/kline,7[{"a":1}]""", await socket.ReceiveAsync());
        await socket.SendAsync("""42/kline,["subscribe",{"subscription_id":"s-9"}]""");
        Assert.Equal("""42/kline,["kline_data",{"symbol":"S","subscription_id":"s-9","data":{"close":1.5}}]""", await socket.ReceiveAsync());
    }

    [Theory]
    [InlineData("", WebSocketImplementation.AspNetCore)]
    [InlineData("", WebSocketImplementation.OwnConnection)]
    [InlineData("hello", WebSocketImplementation.AspNetCore)]
    [InlineData("hello", WebSocketImplementation.OwnConnection)]
    [InlineData("""42/kline,["echo",{}]""", WebSocketImplementation.AspNetCore)]
    [InlineData("""42/kline,["echo",{}]""", WebSocketImplementation.OwnConnection)]
    public async Task Protocol_garbage_closes_the_websocket_with_1002(string packet, WebSocketImplementation implementation)
    {
        const WebSocketCloseStatus expected = WebSocketCloseStatus.ProtocolError;
        await using var host = await SocketIOTestHost.StartAsync(transport: implementation);
        using var socket = await SocketClient.ConnectAsync(host.WebSocketEndpoint("EIO=4&transport=websocket"));
        Assert.NotNull(await socket.ReceiveAsync());
        await socket.SendAsync(packet);
        Assert.Equal(expected, await socket.ReceiveCloseAsync());
        Assert.Equal(1, host.Server.Counters.ProtocolErrors);
        await Eventually.TrueAsync(() => host.Server.Counters.ActiveSessions == 0, Wait, "the session to end");
    }

    [Theory]
    [InlineData(WebSocketImplementation.AspNetCore)]
    [InlineData(WebSocketImplementation.OwnConnection)]
    public async Task A_binary_frame_closes_the_websocket_with_1003(WebSocketImplementation implementation)
    {
        await using var host = await SocketIOTestHost.StartAsync(transport: implementation);
        using var socket = await SocketClient.ConnectAsync(host.WebSocketEndpoint("EIO=4&transport=websocket"));
        Assert.NotNull(await socket.ReceiveAsync());
        await socket.SendAsync([1, 2, 3], WebSocketMessageType.Binary);
        Assert.Equal(WebSocketCloseStatus.InvalidMessageType, await socket.ReceiveCloseAsync());
    }

    [Theory]
    [InlineData(WebSocketImplementation.AspNetCore)]
    [InlineData(WebSocketImplementation.OwnConnection)]
    public async Task A_message_over_max_payload_closes_the_websocket_with_1009(WebSocketImplementation implementation)
    {
        await using var host = await SocketIOTestHost.StartAsync(new SocketIOServerOptions { MaxPayloadBytes = 4096, MaxPacketBytes = 4096 }, implementation);
        using var socket = await SocketClient.ConnectAsync(host.WebSocketEndpoint("EIO=4&transport=websocket"));
        Assert.NotNull(await socket.ReceiveAsync());
        await socket.SendAsync($$"""42/kline,["echo",{"pad":"{{new string('x', 5000)}}"}]""");
        Assert.Equal(WebSocketCloseStatus.MessageTooBig, await socket.ReceiveCloseAsync());
        Assert.Equal(1, host.Server.Counters.TooLarge);
    }

    [Theory]
    [InlineData(WebSocketImplementation.AspNetCore)]
    [InlineData(WebSocketImplementation.OwnConnection)]
    public async Task An_event_over_the_packet_limit_gets_error_1005_then_close_1009(WebSocketImplementation implementation)
    {
        await using var host = await SocketIOTestHost.StartAsync(new SocketIOServerOptions { MaxPacketBytes = 2048 }, implementation);
        using var socket = await SocketClient.ConnectAsync(host.WebSocketEndpoint("EIO=4&transport=websocket"));
        await socket.SendAsync("40/kline,");
        await socket.ReceiveUntilAsync(p => p.Contains("connection_success", StringComparison.Ordinal));
        await socket.SendAsync($$"""42/kline,["echo",{"pad":"{{new string('x', 3000)}}"}]""");
        Assert.Equal("""42/kline,["error",{"code":1005,"message":"TooLarge"}]""", await socket.ReceiveAsync());
        Assert.Equal(WebSocketCloseStatus.MessageTooBig, await socket.ReceiveCloseAsync());
    }

    [Theory]
    [InlineData(WebSocketImplementation.AspNetCore)]
    [InlineData(WebSocketImplementation.OwnConnection)]
    public async Task Polling_session_upgrades_by_probe_and_then_refuses_polling(WebSocketImplementation implementation)
    {
        await using var host = await SocketIOTestHost.StartAsync(transport: implementation);
        using var polling = new PollingClient(new Uri(host.BaseUrl));
        await polling.OpenAsync();
        await polling.PostOkAsync("40/kline,");
        await polling.GetUntilAsync(p => p.Contains("connection_success", StringComparison.Ordinal));
        var held = polling.GetAsync();
        await Eventually.TrueAsync(() => host.Server.FindSession(polling.Sid)?.IsPollPending == true, Wait, "the GET to be held");

        using var socket = await SocketClient.ConnectAsync(host.WebSocketEndpoint($"EIO=4&transport=websocket&sid={polling.Sid}"));
        await socket.SendAsync("2probe");
        Assert.Equal("3probe", await socket.ReceiveAsync());
        // The held GET is released with a noop, so the client can pause polling before it upgrades.
        Assert.Equal(["6"], await held);

        // A second probe while this one is open is refused before its upgrade.
        using var http = new HttpClient();
        using var secondProbe = new HttpRequestMessage(HttpMethod.Get, host.Endpoint($"EIO=4&transport=websocket&sid={polling.Sid}"));
        secondProbe.Headers.TryAddWithoutValidation("Upgrade", "websocket");
        secondProbe.Headers.TryAddWithoutValidation("Connection", "Upgrade");
        using var refusedProbe = await http.SendAsync(secondProbe, TestContext.Current.CancellationToken);
        await EngineErrorAssert.IsAsync(refusedProbe, HttpStatusCode.BadRequest, 3);

        await socket.SendAsync("5");
        await Eventually.TrueAsync(() => host.Server.Counters.Upgrades == 1, Wait, "the upgrade");
        await socket.SendAsync("""42/kline,3["echo",{"over":"ws"}]""");
        Assert.Equal("""43/kline,3[{"over":"ws"}]""", await socket.ReceiveAsync());

        using var refusedPoll = await http.GetAsync(polling.SessionUrl, TestContext.Current.CancellationToken);
        await EngineErrorAssert.IsAsync(refusedPoll, HttpStatusCode.BadRequest, 3);
        Assert.Equal(0, host.Server.Counters.PollingSessions);
        Assert.Equal(1, host.Server.Counters.ActiveSessions);
    }

    [Theory]
    [InlineData(WebSocketImplementation.AspNetCore)]
    [InlineData(WebSocketImplementation.OwnConnection)]
    public async Task A_probe_that_never_upgrades_is_dropped_and_the_session_stays_on_polling(WebSocketImplementation implementation)
    {
        await using var host = await SocketIOTestHost.StartAsync(new SocketIOServerOptions { UpgradeTimeout = TimeSpan.FromSeconds(1) }, implementation);
        using var polling = new PollingClient(new Uri(host.BaseUrl));
        await polling.OpenAsync();
        await polling.PostOkAsync("40/kline,");
        await polling.GetUntilAsync(p => p.Contains("connection_success", StringComparison.Ordinal));

        using var socket = await SocketClient.ConnectAsync(host.WebSocketEndpoint($"EIO=4&transport=websocket&sid={polling.Sid}"));
        await socket.SendAsync("2probe");
        Assert.Equal("3probe", await socket.ReceiveAsync());
        Assert.Null(await socket.ReceiveAsync());

        await polling.PostOkAsync("""42/kline,4["echo",{"still":"polling"}]""");
        Assert.Contains("""43/kline,4[{"still":"polling"}]""", await polling.GetUntilAsync(p => p.StartsWith("43", StringComparison.Ordinal)));
        Assert.Equal(0, host.Server.Counters.Upgrades);
    }

    [Theory]
    [InlineData(WebSocketImplementation.AspNetCore)]
    [InlineData(WebSocketImplementation.OwnConnection)]
    public async Task Unanswered_pings_end_a_websocket_session(WebSocketImplementation implementation)
    {
        await using var host = await SocketIOTestHost.StartAsync(new SocketIOServerOptions
        {
            PingInterval = TimeSpan.FromMilliseconds(200),
            PingTimeout = TimeSpan.FromSeconds(1),
        }, implementation);
        using var socket = await SocketClient.ConnectAsync(host.WebSocketEndpoint("EIO=4&transport=websocket"));
        Assert.NotNull(await socket.ReceiveAsync());
        await socket.SendAsync("40/kline,");
        await socket.ReceiveUntilAsync(p => p == "2");
        // No pong: the server drops the connection (the client is taken for gone, so no close handshake is awaited).
        while (await socket.ReceiveAsync() is not null)
        {
        }
        Assert.Equal(1, host.Server.Counters.PingTimeouts);
        await Eventually.TrueAsync(() => host.Server.Counters.ActiveSessions == 0, Wait, "the session to end");
        Assert.Contains(host.Kline.Disconnected, d => d.Reason == SocketIODisconnectReason.PingTimeout);
    }

    [Theory]
    [InlineData(WebSocketImplementation.AspNetCore)]
    [InlineData(WebSocketImplementation.OwnConnection)]
    public async Task Shutdown_closes_websocket_sessions_with_1001(WebSocketImplementation implementation)
    {
        var host = await SocketIOTestHost.StartAsync(transport: implementation);
        try
        {
            using var socket = await SocketClient.ConnectAsync(host.WebSocketEndpoint("EIO=4&transport=websocket"));
            Assert.NotNull(await socket.ReceiveAsync());
            host.Server.CloseAll();
            Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, await socket.ReceiveCloseAsync());
        }
        finally
        {
            await host.DisposeAsync();
        }
    }
}
