using System.Net;
using System.Net.WebSockets;
using SpinPet.ChainSimulator.Tests.Support;
using SpinPet.TestSupport;

namespace SpinPet.ChainSimulator.Tests;

public sealed class FaultTests : IAsyncLifetime
{
    private static readonly string Program = new SimulatorOptions().ProgramId;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private readonly ChainSimulator _simulator = new(new SimulatorOptions { Seed = 13, SubscriberQueueCapacity = 16 });

    public async ValueTask InitializeAsync() => await _simulator.StartAsync(TestContext.Current.CancellationToken);

    public async ValueTask DisposeAsync() => await _simulator.DisposeAsync();

    [Fact]
    public async Task Rate_limiting_answers_429_with_retry_after_until_reset()
    {
        using var rpc = new RpcTestClient(_simulator.RpcUri);
        _simulator.Faults.HttpErrorRate = 1;
        _simulator.Faults.RetryAfterSeconds = 7;

        using (var limited = await rpc.PostAsync(rpc.Request("getSlot")))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(7), limited.Headers.RetryAfter?.Delta);
        }

        _simulator.Faults.HttpErrorStatus = 500;
        using (var broken = await rpc.PostAsync(rpc.Request("getSlot")))
        {
            Assert.Equal(HttpStatusCode.InternalServerError, broken.StatusCode);
        }

        _simulator.Faults.Reset();
        Assert.Equal("ok", (await rpc.ResultAsync("getHealth")).GetString());
        Assert.Equal(2, _simulator.Stats.HttpErrorsInjected);
    }

    [Fact]
    public async Task Dropping_sockets_breaks_every_client_connection()
    {
        await using var client = await PubSubTestClient.ConnectAsync(_simulator.WsUri);
        await client.SubscribeLogsAsync(Program);

        _simulator.Faults.DropAllSockets();

        var broken = await Record.ExceptionAsync(async () =>
        {
            while (true)
            {
                var (type, _) = await client.ReceiveAsync(Timeout);
                if (type == WebSocketMessageType.Close)
                {
                    return;
                }
            }
        });
        Assert.True(broken is null or WebSocketException, $"unexpected {broken}");
        Assert.NotEqual(WebSocketState.Open, client.State);
        Assert.Equal(1, _simulator.Stats.SocketsDropped);
        await Eventually.TrueAsync(() => _simulator.Stats.WebSocketConnectionsActive == 0, Timeout, "server dropped the connection");
    }

    [Fact]
    public async Task Refusing_connections_fails_http_and_upgrades_until_it_ends()
    {
        using var rpc = new RpcTestClient(_simulator.RpcUri);
        Assert.Equal("ok", (await rpc.ResultAsync("getHealth")).GetString());

        _simulator.Faults.RefuseConnections = true;

        // The kept-alive connection is reset on its next request, and new connections are reset at once.
        var refused = await Record.ExceptionAsync(() => rpc.ResultAsync("getHealth"));
        Assert.True(refused is HttpRequestException or System.Net.Sockets.SocketException or IOException, $"unexpected {refused}");
        await Assert.ThrowsAnyAsync<WebSocketException>(async () => await PubSubTestClient.ConnectAsync(_simulator.WsUri));
        Assert.True(_simulator.Stats.ConnectionsRefused >= 2);

        _simulator.Faults.RefuseFor(TimeSpan.FromMilliseconds(300));
        await Eventually.TrueAsync(async () =>
        {
            try
            {
                return (await rpc.ResultAsync("getHealth")).GetString() == "ok";
            }
            catch (Exception e) when (e is HttpRequestException or System.Net.Sockets.SocketException or IOException)
            {
                // A reset that lands between connect and the first read surfaces as a bare SocketException
                // (HttpConnectionPool reads RemoteEndPoint of a socket the peer already closed).
                return false;
            }
        }, Timeout, "refusal expires by itself");
        await using var client = await PubSubTestClient.ConnectAsync(_simulator.WsUri);
        Assert.Equal(WebSocketState.Open, client.State);
    }

    [Fact]
    public async Task Garbage_frames_arrive_in_order_and_notifications_continue_after_them()
    {
        await using var client = await PubSubTestClient.ConnectAsync(_simulator.WsUri);
        ulong subscription = await client.SubscribeLogsAsync(Program);

        _simulator.Faults.SendGarbage();

        var (notJsonType, notJson) = await client.ReceiveAsync();
        Assert.Equal(WebSocketMessageType.Text, notJsonType);
        Assert.StartsWith("this is not JSON", System.Text.Encoding.UTF8.GetString(notJson), StringComparison.Ordinal);
        var wrongTypes = await client.ReceiveJsonAsync();
        Assert.Equal("abc", wrongTypes.GetProperty("params").GetProperty("result").GetProperty("context").GetProperty("slot").GetString());
        var unknown = await client.ReceiveJsonAsync();
        Assert.NotEqual(subscription, unknown.GetProperty("params").GetProperty("subscription").GetUInt64());
        Assert.Equal("blockNotification", (await client.ReceiveJsonAsync()).GetProperty("method").GetString());
        var (_, huge) = await client.ReceiveAsync();
        Assert.True(huge.Length >= 2 * 1024 * 1024);
        Assert.Equal(WebSocketMessageType.Binary, (await client.ReceiveAsync()).Type);

        var block = _simulator.ProduceTransactions(1)[^1];
        var notification = await client.ReceiveJsonAsync();
        Assert.Equal(block.Transactions[0].Signature, notification.GetProperty("params").GetProperty("result").GetProperty("value").GetProperty("signature").GetString());
    }

    [Fact]
    public async Task Bad_signature_notifications_arrive_on_the_logs_subscription_and_the_stream_carries_on()
    {
        await using var client = await PubSubTestClient.ConnectAsync(_simulator.WsUri);
        ulong subscription = await client.SubscribeLogsAsync(Program);

        _simulator.Faults.SendBadSignatureNotifications();

        var signatures = new List<string>();
        for (int i = 0; i < 2; i++)
        {
            var frame = await client.ReceiveJsonAsync();
            Assert.Equal("logsNotification", frame.GetProperty("method").GetString());
            Assert.Equal(subscription, frame.GetProperty("params").GetProperty("subscription").GetUInt64());
            var value = frame.GetProperty("params").GetProperty("result").GetProperty("value");
            Assert.Contains(value.GetProperty("logs").EnumerateArray(), line => line.GetString()!.StartsWith("Program data: ", StringComparison.Ordinal));
            string signature = value.GetProperty("signature").GetString()!;
            Assert.False(SpinPet.Core.Chain.TxSignature.TryParse(signature, out _), signature);
            signatures.Add(signature);
        }
        // '0' is outside the base58 alphabet; the second is base58 of a public key's length, not a signature's 64.
        Assert.Contains("0", signatures[0], StringComparison.Ordinal);
        Assert.Equal(32, SimpleBase.Base58.Bitcoin.Decode(signatures[1]).Length);
        Assert.Equal(2, _simulator.Stats.BadSignaturesSent);

        var block = _simulator.ProduceTransactions(1)[^1];
        var notification = await client.ReceiveJsonAsync();
        Assert.Equal(block.Transactions[0].Signature, notification.GetProperty("params").GetProperty("result").GetProperty("value").GetProperty("signature").GetString());
    }

    [Fact]
    public async Task A_subscriber_that_stops_reading_is_disconnected_instead_of_buffered()
    {
        await using var client = await PubSubTestClient.ConnectAsync(_simulator.WsUri);
        await client.SubscribeLogsAsync(Program);

        // The client never reads again: socket buffers fill, then the 16-frame outbox, then the server gives up.
        await Eventually.TrueAsync(() =>
        {
            _simulator.ProduceTransactions(500);
            return _simulator.Stats.SlowConsumersClosed == 1;
        }, TimeSpan.FromSeconds(60), "the slow consumer is closed");
        await Eventually.TrueAsync(() => _simulator.Stats.WebSocketConnectionsActive == 0, Timeout, "its connection is gone");
    }
}
