using SpinPet.SocketIO.Tests.Hosting;
using SpinPet.TestSupport;

namespace SpinPet.SocketIO.Tests.Node;

/// <summary>
/// The real socket.io-client 4.8 (Node) against the server: each transport, the upgrade, events both ways, acks, a
/// shared spliced event, a rejection answered with an error, the heartbeat, a reconnect after the server dropped the
/// session, a server-side namespace disconnect, and a wrong namespace.
/// </summary>
public sealed class SocketIOClientTests
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(10);

    [Theory]
    [InlineData(WebSocketImplementation.AspNetCore)]
    [InlineData(WebSocketImplementation.OwnConnection)]
    public async Task Websocket_only_client_connects_emits_gets_acks_and_server_events(WebSocketImplementation implementation)
    {
        await using var host = await SocketIOTestHost.StartAsync(transport: implementation);
        var run = await NodeScenario.RunAsync("websocket", host.BaseUrl);
        Assert.True(run.Passed, run.Describe());
        Assert.Contains("step transport websocket", run.Output, StringComparison.Ordinal);
        Assert.Contains(host.Kline.Seen, s => s.StartsWith("event echo {\"with\":\"ack\",\"n\":1} ack=", StringComparison.Ordinal));
        Assert.Equal(0, host.Server.Counters.ProtocolErrors);
        await Eventually.TrueAsync(() => host.Server.Counters.ActiveSessions == 0, Settle, "the session to end after the client left");
    }

    [Fact]
    public async Task Polling_only_client_connects_emits_gets_acks_and_server_events()
    {
        await using var host = await SocketIOTestHost.StartAsync();
        var run = await NodeScenario.RunAsync("polling", host.BaseUrl);
        Assert.True(run.Passed, run.Describe());
        Assert.Contains("step transport polling", run.Output, StringComparison.Ordinal);
        Assert.Equal(0, host.Server.Counters.Upgrades);
        Assert.Equal(0, host.Server.Counters.ProtocolErrors);
        // Whether the client's last POST (DISCONNECT, close) left before its process exited is up to Node; a polling
        // session whose client vanished ends by the heartbeat (PollingTests).
    }

    [Theory]
    [InlineData(WebSocketImplementation.AspNetCore)]
    [InlineData(WebSocketImplementation.OwnConnection)]
    public async Task Default_client_connects_over_polling_and_upgrades_to_websocket(WebSocketImplementation implementation)
    {
        await using var host = await SocketIOTestHost.StartAsync(transport: implementation);
        var run = await NodeScenario.RunAsync("upgrade", host.BaseUrl);
        Assert.True(run.Passed, run.Describe());
        Assert.Contains("step upgraded to websocket", run.Output, StringComparison.Ordinal);
        Assert.Equal(1, host.Server.Counters.Upgrades);
        Assert.Equal(0, host.Server.Counters.ProtocolErrors);
    }

    [Theory]
    [InlineData("websocket", WebSocketImplementation.AspNetCore)]
    [InlineData("websocket", WebSocketImplementation.OwnConnection)]
    [InlineData("polling", WebSocketImplementation.AspNetCore)]
    public async Task Client_answers_pings_and_stays_connected_through_several_intervals(string transport, WebSocketImplementation implementation)
    {
        // 300 ms between pings: four pings take over a second, and a missed pong would close the session in 5 s.
        await using var host = await SocketIOTestHost.StartAsync(new SocketIOServerOptions
        {
            PingInterval = TimeSpan.FromMilliseconds(300),
            PingTimeout = TimeSpan.FromSeconds(5),
        }, implementation);
        var run = await NodeScenario.RunAsync("heartbeat", host.BaseUrl, new Dictionary<string, string> { ["TRANSPORT"] = transport });
        Assert.True(run.Passed, run.Describe());
        Assert.Contains("step 4 pings answered", run.Output, StringComparison.Ordinal);
        Assert.Equal(0, host.Server.Counters.PingTimeouts);
    }

    [Theory]
    [InlineData("websocket", WebSocketImplementation.AspNetCore)]
    [InlineData("websocket", WebSocketImplementation.OwnConnection)]
    [InlineData("polling", WebSocketImplementation.AspNetCore)]
    public async Task Client_reconnects_with_a_new_session_after_the_server_drops_its_session(string transport, WebSocketImplementation implementation)
    {
        await using var host = await SocketIOTestHost.StartAsync(transport: implementation);
        var run = await NodeScenario.RunAsync("reconnect", host.BaseUrl, new Dictionary<string, string> { ["TRANSPORT"] = transport });
        Assert.True(run.Passed, run.Describe());
        Assert.Contains("step echo after reconnect", run.Output, StringComparison.Ordinal);
        Assert.Equal(2, host.Server.Counters.TotalSessions);
        Assert.Contains(host.Kline.Disconnected, d => d.Reason == SocketIODisconnectReason.ServerShutdown);
    }

    [Fact]
    public async Task Server_namespace_disconnect_reaches_the_client_as_io_server_disconnect()
    {
        await using var host = await SocketIOTestHost.StartAsync();
        var run = await NodeScenario.RunAsync("server-disconnect", host.BaseUrl);
        Assert.True(run.Passed, run.Describe());
        Assert.Contains(host.Kline.Disconnected, d => d.Reason == SocketIODisconnectReason.ServerNamespaceDisconnect);
    }

    [Fact]
    public async Task Wrong_namespace_gets_connect_error_invalid_namespace()
    {
        await using var host = await SocketIOTestHost.StartAsync();
        var run = await NodeScenario.RunAsync("wrong-namespace", host.BaseUrl);
        Assert.True(run.Passed, run.Describe());
        Assert.Contains("step connect_error Invalid namespace", run.Output, StringComparison.Ordinal);
        Assert.Empty(host.Kline.Seen);
    }
}
