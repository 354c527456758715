using System.Net.WebSockets;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using SpinPet.Storage;
using SpinPet.Streaming.Topics;
using SpinPet.TestSupport;

namespace SpinPet.Server.Tests.Streaming;

/// <summary>
/// Error 1003 (protocol.md: history query failed) from the real server wiring: Kestrel on a loopback port, RocksDB in
/// a temp folder, a real <see cref="ClientWebSocket"/>. The store is closed under the running server, the surest way
/// to make every history read fail (a broken disk cannot be staged in a test).
/// </summary>
public sealed class HistoryFailureTests
{
    // Any valid address: the store holds no candles, so a working read answers an empty page.
    private const string Mint = "81WZbeJwfo9mTBRZsBqaUBWa2jeRKH2LQi54uwXdZYoa";

    [Fact]
    public async Task A_failing_history_read_answers_1003_and_the_connection_keeps_serving()
    {
        using var folder = new TempFolder();
        await using var app = await StartAsync(folder.Path);
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(SocketUri(app), TestContext.Current.CancellationToken);
        Assert.Equal("connection_success", Type(await ReceiveAsync(socket)));

        // While the store works: history, then the confirmation.
        await SendAsync(socket, $$"""{"msg_type":"subscribe","symbol":"{{Mint}}","interval":"s1","subscription_id":"before"}""");
        Assert.Equal("history_data", Type(await ReceiveAsync(socket)));
        Assert.Equal("subscription_confirmed", Type(await ReceiveAsync(socket)));

        app.Services.GetRequiredService<SpinPetStore>().Dispose();

        await SendAsync(socket, $$"""{"msg_type":"history","symbol":"{{Mint}}","interval":"s30","limit":10}""");
        AssertHistoryFailed(await ReceiveAsync(socket));
        await SendAsync(socket, $$"""{"msg_type":"subscribe","symbol":"{{Mint}}","interval":"m5","subscription_id":"after"}""");
        AssertHistoryFailed(await ReceiveAsync(socket));
        // The failed subscription left no topic behind: only the s1 one remains.
        Assert.Equal(1, app.Services.GetRequiredService<TopicHub>().TopicCount);

        // The connection is still served, and so is the host.
        await SendAsync(socket, """{"msg_type":"ping"}""");
        Assert.Equal("pong", Type(await ReceiveAsync(socket)));
        Assert.Equal(WebSocketState.Open, socket.State);
        Assert.False(app.Lifetime.ApplicationStopping.IsCancellationRequested, "the host should keep running");
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", TestContext.Current.CancellationToken);
        await app.StopAsync(TestContext.Current.CancellationToken);
    }

    private static void AssertHistoryFailed(JsonElement message)
    {
        Assert.Equal("error", Type(message));
        Assert.Equal(1003, message.GetProperty("code").GetInt32());
        Assert.Equal(1003, message.GetProperty("data").GetProperty("code").GetInt32());
        Assert.StartsWith("History query failed: ", message.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    private static Task<WebApplication> StartAsync(string database) => InProcessServer.StartAsync(database);

    private static Uri SocketUri(WebApplication app) => InProcessServer.SocketUri(app);

    private static Task SendAsync(ClientWebSocket socket, string json) => InProcessServer.SendAsync(socket, json);

    private static async Task<JsonElement> ReceiveAsync(ClientWebSocket socket) => (await InProcessServer.ReceiveAsync(socket))!.Value;

    private static string? Type(JsonElement message) => InProcessServer.Type(message);
}
