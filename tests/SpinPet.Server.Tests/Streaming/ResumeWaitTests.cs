using System.Net.WebSockets;
using Microsoft.Extensions.DependencyInjection;
using SpinPet.Core.Stream;
using SpinPet.Indexer;
using SpinPet.TestSupport;

namespace SpinPet.Server.Tests.Streaming;

/// <summary>
/// A resume from a seq the node has not applied yet (a client coming from a node further on): the connection waits,
/// bounded by 2 s, for the node to get there (protocol.md, "Position and resume").
/// </summary>
public sealed class ResumeWaitTests
{
    private const string Mint = "81WZbeJwfo9mTBRZsBqaUBWa2jeRKH2LQi54uwXdZYoa";

    [Fact]
    public async Task A_resume_just_ahead_recovers_once_the_node_applies_it_and_one_far_ahead_gets_the_ordinary_snapshot()
    {
        using var folder = new TempFolder();
        await using var app = await InProcessServer.StartAsync(folder.Path);
        var indexer = app.Services.GetRequiredService<SpinPetIndexer>();
        var stream = app.Services.GetRequiredService<IBatchStream>();
        var start = indexer.Position;
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(InProcessServer.SocketUri(app), TestContext.Current.CancellationToken);
        Assert.Equal("connection_success", InProcessServer.Type((await InProcessServer.ReceiveAsync(socket))!.Value));

        await InProcessServer.SendAsync(socket,
            $$$"""{"msg_type":"subscribe","symbol":"{{{Mint}}}","interval":"s1","resume":{"epoch":"{{{start.Epoch}}}","seq":{{{start.Seq + 1}}}}}""");
        // The next batch (a clock alone) brings the node to the client's position.
        var applied = await stream.AppendAsync(StreamBatch.FinalizeAt(0), TestContext.Current.CancellationToken);
        Assert.Equal(start.Seq + 1, applied.Seq);
        var history = (await InProcessServer.ReceiveAsync(socket))!.Value.GetProperty("data");
        var confirmed = (await InProcessServer.ReceiveAsync(socket))!.Value.GetProperty("data");
        Assert.True(history.GetProperty("recovered").GetBoolean());
        Assert.True(confirmed.GetProperty("recovered").GetBoolean());
        Assert.Equal(applied.Seq, history.GetProperty("seq").GetInt64());
        Assert.Equal(start.Epoch, confirmed.GetProperty("epoch").GetString());

        // Far ahead: after the 2 s the node gives up waiting; the ordinary snapshot, at the node's own position.
        await InProcessServer.SendAsync(socket,
            $$$"""{"msg_type":"subscribe","symbol":"{{{Mint}}}","interval":"s30","resume":{"epoch":"{{{start.Epoch}}}","seq":{{{start.Seq + 1000}}}}}""");
        history = (await InProcessServer.ReceiveAsync(socket))!.Value.GetProperty("data");
        Assert.False(history.GetProperty("recovered").GetBoolean());
        Assert.Equal(applied.Seq, history.GetProperty("seq").GetInt64());
        Assert.Equal("subscription_confirmed", InProcessServer.Type((await InProcessServer.ReceiveAsync(socket))!.Value));

        // The connection answers again after the wait.
        await InProcessServer.SendAsync(socket, """{"msg_type":"ping"}""");
        Assert.Equal("pong", InProcessServer.Type((await InProcessServer.ReceiveAsync(socket))!.Value));
    }
}
