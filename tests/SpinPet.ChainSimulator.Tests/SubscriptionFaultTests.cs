using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using SpinPet.ChainSimulator.Tests.Support;
using SpinPet.TestSupport;

namespace SpinPet.ChainSimulator.Tests;

/// <summary>Faults of the PubSub port: refused subscriptions and sockets that go silent without closing.</summary>
public sealed class SubscriptionFaultTests : IAsyncLifetime
{
    private static readonly string Program = new SimulatorOptions().ProgramId;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private readonly ChainSimulator _simulator = new(new SimulatorOptions { Seed = 17 });

    public async ValueTask InitializeAsync() => await _simulator.StartAsync(TestContext.Current.CancellationToken);

    public async ValueTask DisposeAsync() => await _simulator.DisposeAsync();

    [Fact]
    public async Task Refused_logs_subscriptions_are_answered_with_an_error_then_served_again()
    {
        await using var client = await PubSubTestClient.ConnectAsync(_simulator.WsUri);
        _simulator.Faults.RefuseLogsSubscribe(2);

        for (int i = 0; i < 2; i++)
        {
            int id = await client.SendAsync("logsSubscribe", new { mentions = new[] { Program } }, new { commitment = "confirmed" });
            var reply = await client.ReceiveJsonAsync();
            Assert.Equal(id, reply.GetProperty("id").GetInt32());
            Assert.False(reply.TryGetProperty("result", out _));
            Assert.Equal(-32603, reply.GetProperty("error").GetProperty("code").GetInt32());
        }
        // slotSubscribe is not affected, and the third logsSubscribe succeeds.
        await client.SendAsync("slotSubscribe");
        Assert.Equal(JsonValueKind.Number, (await client.ReceiveJsonAsync()).GetProperty("result").ValueKind);
        ulong subscription = await client.SubscribeLogsAsync(Program);

        Assert.Equal(2, _simulator.Stats.LogsSubscribesRefused);
        var block = _simulator.ProduceTransactions(1)[^1];
        var notification = await client.ReceiveUntilAsync(m => m.GetProperty("method").GetString() == "logsNotification");
        Assert.Equal(subscription, notification.GetProperty("params").GetProperty("subscription").GetUInt64());
        Assert.Equal(block.Transactions[0].Signature, notification.GetProperty("params").GetProperty("result").GetProperty("value").GetProperty("signature").GetString());
    }

    [Fact]
    public async Task A_silenced_socket_sends_nothing_and_answers_no_ping_until_the_client_gives_up()
    {
        // Pings every 200 ms, and a socket whose pong is 1 s late is dead: only an unanswered ping can end it.
        using var silenced = await ConnectPingingAsync();
        await SubscribeLogsAsync(silenced);

        _simulator.Faults.SilenceAllSockets();
        _simulator.ProduceTransactions(5);
        Assert.Equal(1, _simulator.Stats.SocketsSilenced);

        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cancel.CancelAfter(Timeout);
        var failure = await Record.ExceptionAsync(async () => await silenced.ReceiveAsync(new byte[64 * 1024], cancel.Token));
        // Not a notification, not our 10 s cancellation: the keep-alive gave up because no pong came.
        Assert.NotNull(failure);
        Assert.False(cancel.IsCancellationRequested, failure.ToString());
        Assert.True(HasWebSocketException(failure), failure.ToString());
        Assert.Equal(WebSocketState.Aborted, silenced.State);

        // The server notices the closed TCP connection, and new connections are served normally.
        await Eventually.TrueAsync(() => _simulator.Stats.WebSocketConnectionsActive == 0, Timeout, "the silent connection ended");
        using var fresh = await ConnectPingingAsync();
        await SubscribeLogsAsync(fresh);
        var block = _simulator.ProduceTransactions(1)[^1];
        using var frame = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        frame.CancelAfter(Timeout);
        var buffer = new byte[64 * 1024];
        var received = await fresh.ReceiveAsync(buffer, frame.Token);
        Assert.Contains(block.Transactions[0].Signature, Encoding.UTF8.GetString(buffer, 0, received.Count), StringComparison.Ordinal);
    }

    /// <summary>The keep-alive abort surfaces as the WebSocketException itself or wrapped (an OperationCanceledException, sometimes around an AggregateException).</summary>
    private static bool HasWebSocketException(Exception? e) => e switch
    {
        null => false,
        WebSocketException => true,
        AggregateException aggregate => aggregate.InnerExceptions.Any(HasWebSocketException),
        _ => HasWebSocketException(e.InnerException),
    };

    private async Task<ClientWebSocket> ConnectPingingAsync()
    {
        var socket = new ClientWebSocket();
        socket.Options.KeepAliveInterval = TimeSpan.FromMilliseconds(200);
        socket.Options.KeepAliveTimeout = TimeSpan.FromSeconds(1);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(Timeout);
        await socket.ConnectAsync(_simulator.WsUri, timeout.Token);
        return socket;
    }

    private static async Task SubscribeLogsAsync(ClientWebSocket socket)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(Timeout);
        var request = $$"""{"jsonrpc":"2.0","id":1,"method":"logsSubscribe","params":[{"mentions":["{{Program}}"]},{"commitment":"confirmed"}]}""";
        await socket.SendAsync(Encoding.UTF8.GetBytes(request), WebSocketMessageType.Text, true, timeout.Token);
        var buffer = new byte[4096];
        var reply = await socket.ReceiveAsync(buffer, timeout.Token);
        Assert.Contains("\"result\"", Encoding.UTF8.GetString(buffer, 0, reply.Count), StringComparison.Ordinal);
    }
}
