using System.Diagnostics;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using SpinPet.Core.Chain;
using SpinPet.Streaming;
using SpinPet.Streaming.Sessions;
using SpinPet.Streaming.Topics;
using SpinPet.WebSockets;
using SpinPet.TestSupport;

namespace SpinPet.Server.Tests.Streaming;

/// <summary>
/// A session that ends while its reader is still attaching subscriptions (an idle timeout, a shutdown, a slow-consumer
/// close or a failed send while the client keeps sending) must leave nothing in the topics: no subscriber pinning the
/// session, no topic, no count. Before the fix every subscription attached after the session detached everything
/// stayed for good (total_subscriptions and monitored_mints never went back to 0).
/// </summary>
public sealed class SessionCloseRaceTests
{
    private const int Rounds = 24;
    private const int TopicsPerRound = 30;

    [Fact]
    public async Task Sessions_closed_while_their_subscriptions_attach_leave_no_subscription_or_topic_behind()
    {
        using var folder = new TempFolder();
        await using var app = await InProcessServer.StartAsync(folder.Path);
        var registry = app.Services.GetRequiredService<SessionRegistry>();
        var counters = app.Services.GetRequiredService<StreamingCounters>();
        var hub = app.Services.GetRequiredService<TopicHub>();

        for (int round = 0; round < Rounds; round++)
        {
            using var socket = new ClientWebSocket();
            await socket.ConnectAsync(InProcessServer.SocketUri(app), TestContext.Current.CancellationToken);
            Assert.Equal("connection_success", InProcessServer.Type((await InProcessServer.ReceiveAsync(socket))!.Value));
            var session = registry.Sessions.Single();
            // Even rounds: the close comes first and the requests arrive while the close handshake waits for the client.
            // Odd rounds: the close comes as soon as the reader has attached one subscription, while it attaches the rest.
            bool closeFirst = round % 2 == 0;
            if (closeFirst)
            {
                session.RequestClose(WebSocketCloseCodes.GoingAway, "test: closed before the requests");
            }
            await SendRequestsAsync(socket, round);
            if (!closeFirst)
            {
                await SpinUntilAsync(() => session.SubscriptionCount > 0, "the first subscription attached");
                session.RequestClose(WebSocketCloseCodes.GoingAway, "test: closed while attaching");
            }
            while (await InProcessServer.ReceiveAsync(socket) is not null)
            {
            }
            await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", TestContext.Current.CancellationToken);
            await Eventually.TrueAsync(() => registry.Count == 0, TimeSpan.FromSeconds(30), $"round {round}'s session ended");
        }

        Assert.Equal(0, counters.ActiveConnections.Value);
        Assert.Equal(0, counters.Subscriptions.Value);
        Assert.Equal(0, hub.MonitoredMints);
        Assert.Equal(0, hub.TopicCount);
        await app.StopAsync(TestContext.Current.CancellationToken);
    }

    /// <summary>
    /// Subscriptions to fresh topics, with a re-subscription and an unsubscription among them (their siblings of the
    /// same race: replacing and ending a subscription while the session ends).
    /// </summary>
    private static async Task SendRequestsAsync(ClientWebSocket socket, int round)
    {
        for (int i = 0; i < TopicsPerRound; i++)
        {
            string mint = Mint(round, i);
            await InProcessServer.SendAsync(socket, $$"""{"msg_type":"subscribe","symbol":"{{mint}}","interval":"s1","subscription_id":"r{{round}}-{{i}}"}""");
            if (i % 10 == 3)
            {
                await InProcessServer.SendAsync(socket, $$"""{"msg_type":"subscribe","symbol":"{{mint}}","interval":"s1","subscription_id":"again"}""");
            }
            if (i % 10 == 7)
            {
                await InProcessServer.SendAsync(socket, $$"""{"msg_type":"unsubscribe","symbol":"{{Mint(round, i - 1)}}","interval":"s1"}""");
            }
            if (i % 10 == 9)
            {
                await InProcessServer.SendAsync(socket, $$"""{"msg_type":"history","symbol":"{{mint}}","interval":"s30","limit":1000}""");
            }
        }
    }

    // No sleep: the window is a few hundred microseconds, far shorter than any polling interval.
    private static async Task SpinUntilAsync(Func<bool> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(30))
            {
                throw new TimeoutException("Timed out waiting for: " + what);
            }
            await Task.Yield();
        }
    }

    private static string Mint(int round, int i)
    {
        var key = new byte[PublicKey.Length];
        BitConverter.TryWriteBytes(key, (round * 1000) + i + 1);
        key[31] = 0x5A;
        return new PublicKey(key).ToString();
    }
}
