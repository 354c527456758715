using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SpinPet.Server.Configuration;
using SpinPet.Server.Hosting;
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
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

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

    /// <summary>The server as Program.cs composes it, with the event listener off.</summary>
    private static async Task<WebApplication> StartAsync(string database)
    {
        var environment = new Dictionary<string, string>
        {
            ["SPIN_DATABASE__ROCKSDB_PATH"] = database,
            ["SPIN_SOLANA__ENABLE_EVENT_LISTENER"] = "false",
            ["SPIN_SERVER__HOST"] = "127.0.0.1",
            ["SPIN_SERVER__PORT"] = "0",
        };
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [], ContentRootPath = RepoPaths.Root });
        builder.Configuration.AddSpinPetSources(builder.Environment.ContentRootPath, [], environment);
        builder.Logging.ClearProviders();
        builder.AddSpinPetServer();
        var app = builder.Build();
        app.MapSpinPetEndpoints();
        await app.StartAsync(TestContext.Current.CancellationToken);
        return app;
    }

    private static Uri SocketUri(WebApplication app)
    {
        string address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        return new UriBuilder(address) { Scheme = "ws", Path = "/ws" }.Uri;
    }

    private static Task SendAsync(ClientWebSocket socket, string json) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(json), WebSocketMessageType.Text, endOfMessage: true, TestContext.Current.CancellationToken);

    private static async Task<JsonElement> ReceiveAsync(ClientWebSocket socket)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(Wait);
        var buffer = new byte[64 * 1024];
        using var message = new MemoryStream();
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer, timeout.Token);
            Assert.Equal(WebSocketMessageType.Text, result.MessageType);
            message.Write(buffer, 0, result.Count);
            if (result.EndOfMessage)
            {
                return JsonDocument.Parse(message.ToArray()).RootElement.Clone();
            }
        }
    }

    private static string? Type(JsonElement message) => message.GetProperty("type").GetString();
}
