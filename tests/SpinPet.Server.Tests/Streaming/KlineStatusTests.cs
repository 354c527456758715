using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using SpinPet.Core.Chain;
using SpinPet.Streaming.Topics;
using SpinPet.TestSupport;

namespace SpinPet.Server.Tests.Streaming;

/// <summary>
/// <c>/api/kline/status</c> is unauthenticated: its figures are counters kept as topics come and go, not a walk over
/// every topic (which took every lock of the topic table and allocated a copy of it per request).
/// </summary>
public sealed class KlineStatusTests
{
    private const int Connections = 4;
    private const int MintsPerConnection = 25;

    [Fact]
    public async Task Status_counts_topics_and_mints_as_they_come_and_go_without_walking_them()
    {
        using var folder = new TempFolder();
        await using var app = await InProcessServer.StartAsync(folder.Path);
        var hub = app.Services.GetRequiredService<TopicHub>();
        using var http = new HttpClient { BaseAddress = new UriBuilder(InProcessServer.SocketUri(app)) { Scheme = "http", Path = "/" }.Uri };
        var sockets = new List<ClientWebSocket>();
        for (int c = 0; c < Connections; c++)
        {
            var socket = new ClientWebSocket();
            sockets.Add(socket);
            await socket.ConnectAsync(InProcessServer.SocketUri(app), TestContext.Current.CancellationToken);
            await InProcessServer.ReceiveAsync(socket);
            for (int m = 0; m < MintsPerConnection; m++)
            {
                // Each connection: its own mints on s1, and the shared ones (the first connection's) on s30.
                await SubscribeAsync(socket, Mint(c, m), "s1");
                await SubscribeAsync(socket, Mint(0, m), "s30");
            }
        }

        var stats = await StatsAsync(http);
        Assert.Equal(Connections, stats.GetProperty("active_connections").GetInt64());
        Assert.Equal(Connections * MintsPerConnection * 2, stats.GetProperty("total_subscriptions").GetInt64());
        Assert.Equal(Connections * MintsPerConnection, stats.GetProperty("monitored_mints").GetInt64());
        Assert.Equal((Connections + 1) * MintsPerConnection, hub.TopicCount);

        long before = GC.GetAllocatedBytesForCurrentThread();
        int mints = hub.MonitoredMints + hub.TopicCount;
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.True(mints > 0);

        foreach (var socket in sockets)
        {
            await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "", TestContext.Current.CancellationToken);
            socket.Dispose();
        }
        await Eventually.TrueAsync(async () => (await StatsAsync(http)).GetProperty("active_connections").GetInt64() == 0,
            TimeSpan.FromSeconds(30), "every connection closed");
        stats = await StatsAsync(http);
        Assert.Equal(0, stats.GetProperty("total_subscriptions").GetInt64());
        Assert.Equal(0, stats.GetProperty("monitored_mints").GetInt64());
        Assert.Equal(0, hub.TopicCount);
        await app.StopAsync(TestContext.Current.CancellationToken);
    }

    private static async Task SubscribeAsync(ClientWebSocket socket, string mint, string interval)
    {
        await InProcessServer.SendAsync(socket, $$"""{"msg_type":"subscribe","symbol":"{{mint}}","interval":"{{interval}}"}""");
        Assert.Equal("history_data", InProcessServer.Type((await InProcessServer.ReceiveAsync(socket))!.Value));
        Assert.Equal("subscription_confirmed", InProcessServer.Type((await InProcessServer.ReceiveAsync(socket))!.Value));
    }

    private static async Task<JsonElement> StatsAsync(HttpClient http) =>
        (await http.GetFromJsonAsync<JsonElement>("/api/kline/status", TestContext.Current.CancellationToken)).GetProperty("data").GetProperty("stats");

    private static string Mint(int connection, int i)
    {
        var key = new byte[PublicKey.Length];
        BitConverter.TryWriteBytes(key, (connection * 1000) + i + 1);
        key[31] = 0xA5;
        return new PublicKey(key).ToString();
    }
}
