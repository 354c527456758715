using System.Text.Json;
using SpinPet.ChainSimulator.Tests.Support;
using SpinPet.TestSupport;

namespace SpinPet.ChainSimulator.Tests;

public sealed class PubSubTests : IAsyncLifetime
{
    private static readonly string Program = new SimulatorOptions().ProgramId;
    private readonly ChainSimulator _simulator = new(new SimulatorOptions { Seed = 8 });

    public async ValueTask InitializeAsync() => await _simulator.StartAsync(TestContext.Current.CancellationToken);

    public async ValueTask DisposeAsync() => await _simulator.DisposeAsync();

    [Fact]
    public async Task Logs_subscription_receives_every_produced_transaction_in_block_order()
    {
        await using var client = await PubSubTestClient.ConnectAsync(_simulator.WsUri);
        ulong subscription = await client.SubscribeLogsAsync(Program);

        var blocks = _simulator.ProduceTransactions(200);
        var expected = blocks.SelectMany(block => block.Transactions).ToList();

        foreach (var transaction in expected)
        {
            var message = await client.ReceiveJsonAsync();
            Assert.Equal("2.0", message.GetProperty("jsonrpc").GetString());
            Assert.Equal("logsNotification", message.GetProperty("method").GetString());
            var parameters = message.GetProperty("params");
            Assert.Equal(subscription, parameters.GetProperty("subscription").GetUInt64());
            var result = parameters.GetProperty("result");
            Assert.Equal(transaction.Slot, result.GetProperty("context").GetProperty("slot").GetUInt64());
            var value = result.GetProperty("value");
            Assert.Equal(transaction.Signature, value.GetProperty("signature").GetString());
            Assert.Equal(transaction.Failed, value.GetProperty("err").ValueKind == JsonValueKind.Object);
            Assert.Equal(transaction.Logs, value.GetProperty("logs").EnumerateArray().Select(line => line.GetString()));
        }
        await Eventually.TrueAsync(() => _simulator.Stats.NotificationsSent == expected.Count, TimeSpan.FromSeconds(10), "notifications counted");
    }

    [Fact]
    public async Task Unsubscribe_answers_true_and_stops_notifications()
    {
        await using var client = await PubSubTestClient.ConnectAsync(_simulator.WsUri);
        ulong logs = await client.SubscribeLogsAsync(Program);
        int slotRequest = await client.SendAsync("slotSubscribe");
        ulong slots = (await client.ReceiveJsonAsync()).GetProperty("result").GetUInt64();
        Assert.NotEqual(logs, slots);

        int unsubscribe = await client.SendAsync("logsUnsubscribe", logs);
        var reply = await client.ReceiveJsonAsync();
        Assert.Equal(unsubscribe, reply.GetProperty("id").GetInt32());
        Assert.True(reply.GetProperty("result").GetBoolean());

        // Only the slot subscription is left: the next notification after a produced block is a slot one.
        var block = _simulator.ProduceTransactions(5)[^1];
        var slot = await client.ReceiveUntilAsync(m => m.GetProperty("params").GetProperty("result").GetProperty("slot").GetUInt64() == block.Slot);
        Assert.Equal("slotNotification", slot.GetProperty("method").GetString());
        Assert.Equal(slots, slot.GetProperty("params").GetProperty("subscription").GetUInt64());
        Assert.True(slot.GetProperty("params").GetProperty("result").GetProperty("parent").GetUInt64() < block.Slot);

        await client.SendAsync("logsUnsubscribe", logs);
        var again = await client.ReceiveUntilAsync(m => m.TryGetProperty("id", out _));
        Assert.Equal(-32602, again.GetProperty("error").GetProperty("code").GetInt32());
        Assert.Equal(1, _simulator.Stats.SubscriptionsActive);
        Assert.True(slotRequest > 0);
    }

    [Fact]
    public async Task Bad_requests_get_json_rpc_errors_and_the_socket_stays_open()
    {
        await using var client = await PubSubTestClient.ConnectAsync(_simulator.WsUri);

        await client.SendAsync("logsSubscribe", new { mentions = new[] { Program, Program } });
        Assert.Equal(-32602, (await client.ReceiveJsonAsync()).GetProperty("error").GetProperty("code").GetInt32());
        await client.SendAsync("blockSubscribe");
        Assert.Equal(-32601, (await client.ReceiveJsonAsync()).GetProperty("error").GetProperty("code").GetInt32());

        ulong subscription = await client.SubscribeLogsAsync(Program);
        var block = _simulator.ProduceTransactions(1)[^1];
        var notification = await client.ReceiveJsonAsync();
        Assert.Equal(subscription, notification.GetProperty("params").GetProperty("subscription").GetUInt64());
        Assert.Equal(block.Transactions[0].Signature, notification.GetProperty("params").GetProperty("result").GetProperty("value").GetProperty("signature").GetString());

        await client.CloseAsync();
        await Eventually.TrueAsync(() => _simulator.Stats.WebSocketConnectionsActive == 0, TimeSpan.FromSeconds(10), "the server side closed");
        Assert.Equal(0, _simulator.Stats.SubscriptionsActive);
    }
}
