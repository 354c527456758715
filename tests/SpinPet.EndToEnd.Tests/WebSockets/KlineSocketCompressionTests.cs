using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json;
using SpinPet.EndToEnd.Tests.Examples;
using SpinPet.EndToEnd.Tests.Harness;
using SpinPet.EndToEnd.Tests.Ingest;
using SpinPet.TestSupport;

namespace SpinPet.EndToEnd.Tests.WebSockets;

/// <summary>
/// <c>websocket.compression = true</c> on the real server following simulated trading: .NET and Node clients that
/// offer permessage-deflate get the same candles as plain clients, their compressed requests are understood, and a
/// compressed message that inflates past the size limit closes the connection with 1009.
/// </summary>
public sealed class KlineSocketCompressionTests(CompressingServer fixture) : IClassFixture<CompressingServer>
{
    private const string Negotiated = "permessage-deflate; server_no_context_takeover; client_no_context_takeover";

    [Fact]
    public async Task Deflate_clients_with_and_without_context_takeover_hold_the_stored_candles_like_a_plain_client()
    {
        var mints = fixture.Mints;
        (string, string)[] topics = [(mints[0], "s1"), (mints[1 % mints.Length], "s30"), (mints[2 % mints.Length], "m5")];
        await using var takeover = await RecordingClient.StartAsync(fixture.Server.BaseUri, topics, "takeover", new WebSocketDeflateOptions());
        await using var noTakeover = await RecordingClient.StartAsync(fixture.Server.BaseUri, topics, "fresh",
            new WebSocketDeflateOptions { ClientContextTakeover = false });
        await using var plain = await RecordingClient.StartAsync(fixture.Server.BaseUri, topics, "plain");
        RecordingClient[] clients = [takeover, noTakeover, plain];
        Assert.StartsWith(Negotiated, takeover.Socket.Extensions, StringComparison.Ordinal);
        Assert.StartsWith(Negotiated, noTakeover.Socket.Extensions, StringComparison.Ordinal);
        Assert.Null(plain.Socket.Extensions);
        await Eventually.TrueAsync(() => clients.All(c => c.Confirmed == topics.Length), TimeSpan.FromSeconds(60), "every subscription confirmed");
        long compressedBefore = await CompressedMessagesAsync();

        for (int round = 0; round < 5; round++)
        {
            fixture.Simulator.ProduceTransactions(100);
        }
        await fixture.Server.WaitForCheckpointAsync(LedgerAssert.NewestSignature(fixture.Simulator), TimeSpan.FromSeconds(90));

        var stored = new Dictionary<(string, string), List<JsonElement>>();
        await Eventually.TrueAsync(async () =>
        {
            foreach (var topic in topics)
            {
                stored[topic] = await KlineSocketLiveTests.ReadAllAsync(fixture.Server, topic.Item1, topic.Item2);
            }
            return stored.Values.All(list => list.All(c => c.GetProperty("is_final").GetBoolean()))
                && clients.All(c => c.Topics.All(t => c.HasFinal(t, stored[t])));
        }, TimeSpan.FromSeconds(60), "every client holds the final state of every stored candle");
        foreach (var client in clients)
        {
            client.AssertOrderedAndComplete(stored);
        }
        Assert.True(await CompressedMessagesAsync() > compressedBefore, "live candles went out compressed");
    }

    [Fact]
    public async Task A_node_ws_client_negotiates_deflate_and_receives_history_and_live_candles()
    {
        ExamplePaths.RequireNodeModules();
        string mint = fixture.Mint;
        string url = new UriBuilder(fixture.Server.BaseUri) { Scheme = "ws", Path = "/ws" }.Uri.ToString();
        string script = Path.Combine(RepoPaths.Root, "tests", "SpinPet.EndToEnd.Tests", "WebSockets", "deflate-client.js");

        var run = await fixture.WhileTradingAsync(() => ChildProcess.RunAsync("node", [script, url, mint, "s1", "3"],
            new Dictionary<string, string> { ["NODE_PATH"] = Path.Combine(ExamplePaths.JsFolder, "node_modules") }, TimeSpan.FromSeconds(60)));

        Assert.True(run.ExitCode == 0 && !run.TimedOut, run.Describe("node deflate-client.js"));
        Assert.Contains("extensions: " + Negotiated, run.Output, StringComparison.Ordinal);
        Assert.Contains($"history_data: {mint} s1 ", run.Output, StringComparison.Ordinal);
        Assert.Equal(3, run.Output.Split('\n').Count(line => line.StartsWith($"kline_data: {mint} s1 node_1 ", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Compressed_requests_are_answered_and_a_compressed_zip_bomb_is_closed_with_1009()
    {
        long compressed = await CompressedMessagesAsync();
        await using var client = await KlineSocketClient.ConnectAsync(fixture.Server.BaseUri, new WebSocketDeflateOptions());
        Assert.StartsWith(Negotiated, client.Extensions, StringComparison.Ordinal);
        // The greeting, compressed: this connection's head as a stored block ahead of the shared, compressed symbols.
        var (hello, _) = await client.ReceiveUntilAsync("connection_success");
        Assert.Contains(fixture.Mint, hello.GetProperty("supported_symbols").EnumerateArray().Select(e => e.GetString()));
        Assert.True(await CompressedMessagesAsync() > compressed, "the greeting went compressed");

        // ClientWebSocket compresses every message once deflate is negotiated.
        await client.SendAsync(new { msg_type = "history", symbol = fixture.Mint, interval = "s1", limit = 2 });
        var (history, _) = await client.ReceiveUntilAsync("history_data");
        Assert.Equal(2, history.GetProperty("data").GetProperty("data").GetArrayLength());

        // About 1 KiB on the wire, 1 MiB once inflated: sixteen times websocket.max_message_bytes.
        await client.SendAsync($"{{\"msg_type\":\"ping\",\"pad\":\"{new string(' ', 1 << 20)}\"}}");
        var (error, _) = await client.ReceiveUntilAsync("error");
        Assert.Equal(1005, error.GetProperty("code").GetInt32());
        Assert.Null(await client.ReceiveAsync());
        Assert.Equal(WebSocketCloseStatus.MessageTooBig, client.Socket.CloseStatus);
    }

    private async Task<long> CompressedMessagesAsync() =>
        (await fixture.Server.Http.GetFromJsonAsync<JsonElement>("/api/kline/status"))
            .GetProperty("data").GetProperty("stats").GetProperty("compressed_messages").GetInt64();
}

/// <summary>The example clients' trading chain, with <c>websocket.compression = true</c>.</summary>
public sealed class CompressingServer() : TradingChain(seed: 47, new Dictionary<string, string> { ["SPIN_WEBSOCKET__COMPRESSION"] = "true" })
{
}
