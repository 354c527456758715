using SpinPet.EndToEnd.Tests.Examples;
using SpinPet.TestSupport;

namespace SpinPet.EndToEnd.Tests.SocketIO;

/// <summary>
/// The earlier server's frontends against the real server process on a trading chain (socketio.md): the real
/// socket.io-client 4.8 on <c>/socket.io/</c> namespace <c>/kline</c>, run from Node by
/// <c>tests/socketio-client/kline.js</c>, which checks each answer itself and compares history and the live
/// <c>kline_data</c> with a raw <c>/ws</c> client's on the same topic.
/// </summary>
public sealed class SocketIOKlineTests(TradingChain chain) : IClassFixture<TradingChain>
{
    // The script gives up after 40 s on its own; the extra time covers process start-up on a busy machine.
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(70);

    private static string Folder => Path.Combine(RepoPaths.Root, "tests", "socketio-client");

    [Theory]
    [InlineData("live-websocket", "opened over websocket", "closing over websocket")]
    [InlineData("live-polling", "opened over polling", "upgraded to websocket")]
    [InlineData("live-polling-only", "opened over polling", "closing over polling")]
    public async Task A_frontend_subscribes_gets_history_newest_first_and_the_live_candles_ws_pushes(string scenario, string opened, string transportStep)
    {
        var run = await RunAsync(scenario, whileTrading: true);
        AssertSteps(run, "connection_success", opened, "subscribed", "history newest first, equal to /ws", "live kline_data equal to /ws", "unsubscribed",
            transportStep);
    }

    [Fact]
    public async Task A_frontend_subscribes_to_a_mints_events_gets_history_newest_first_and_the_live_event_data_ws_pushes()
    {
        var run = await RunAsync("events", whileTrading: true);
        AssertSteps(run, "subscribed to events, history newest first", "live event_data equal to /ws", "events with a bad limit: 1001",
            "events of a bad symbol: 1001 Invalid symbol", "subscribe_events acknowledged", "unsubscribed from events");
    }

    [Fact]
    public async Task Bad_requests_are_answered_with_errors_and_the_client_stays_served()
    {
        var run = await RunAsync("errors", whileTrading: false);
        AssertSteps(run, "bad symbol: 1001 Invalid symbol", "bad interval: 1001 Invalid interval: h7", "bad limit: 1001", "a string payload: 1001",
            "no payload: 1001", "long subscription_id: 1001", "unknown event: 1001", "error acknowledged:", "unsubscribe without a subscription",
            "still served", "/ connects", "/other refused: Invalid namespace");
    }

    [Fact]
    public async Task A_frontend_whose_transport_drops_reconnects_and_is_served_again()
    {
        var run = await RunAsync("reconnect", whileTrading: true);
        AssertSteps(run, "live on ", "live again on ");
    }

    [Fact]
    public async Task Bad_EngineIO_and_SocketIO_packets_get_errors_and_the_server_stays_up()
    {
        var run = await RunAsync("garbage", whileTrading: false);
        AssertSteps(run, "EIO=3 refused", "unknown transport refused", "raw connect", "bad Socket.IO packets answered with 1001",
            "a bad Engine.IO packet closes the session", "a new client is served");
        using var http = new HttpClient { BaseAddress = chain.Server.BaseUri };
        Assert.True((await http.GetAsync(new Uri("/api/time", UriKind.Relative), TestContext.Current.CancellationToken)).IsSuccessStatusCode, "the server stays up");
    }

    private Task<ChildProcess> RunAsync(string scenario, bool whileTrading)
    {
        if (!File.Exists(Path.Combine(Folder, "node_modules", "socket.io-client", "package.json")))
        {
            Assert.Fail("tests/socketio-client/node_modules is missing: run `npm ci --prefix tests/socketio-client` (./test.sh does it) before the tests.");
        }
        string baseUrl = chain.Server.BaseUri.ToString().TrimEnd('/');
        Task<ChildProcess> Run() => ChildProcess.RunAsync("node", [Path.Combine(Folder, "kline.js"), scenario, baseUrl, chain.Mint],
            new Dictionary<string, string>(), Deadline);
        return whileTrading ? chain.WhileTradingAsync(Run) : Run();
    }

    private static void AssertSteps(ChildProcess run, params string[] steps)
    {
        Assert.True(run.ExitCode == 0 && !run.TimedOut, run.Describe("node kline.js"));
        foreach (var step in steps)
        {
            Assert.True(run.Output.Contains("step " + step, StringComparison.Ordinal), $"no step \"{step}\"; " + run.Describe("node kline.js"));
        }
    }
}
