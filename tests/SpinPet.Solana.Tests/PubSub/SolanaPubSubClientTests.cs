using System.Diagnostics;
using Microsoft.Extensions.Logging;
using SpinPet.ChainSimulator;
using SpinPet.Solana.Ingest;
using SpinPet.Solana.PubSub;
using SpinPet.Solana.Tests.Support;
using SpinPet.TestSupport;

namespace SpinPet.Solana.Tests.PubSub;

/// <summary>The PubSub client against the simulated node over real WebSockets.</summary>
public sealed class SolanaPubSubClientTests : IAsyncLifetime
{
    private static readonly string Program = new SimulatorOptions().ProgramId;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private readonly ChainSimulator.ChainSimulator _simulator = new(new SimulatorOptions { Seed = 41 });
    private readonly RecordingLogger _logger = new();
    private readonly CancellationTokenSource _stop = new();

    public async ValueTask InitializeAsync() => await _simulator.StartAsync(TestContext.Current.CancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _stop.Dispose();
        await _simulator.DisposeAsync();
    }

    [Fact]
    public async Task A_refused_logs_subscription_ends_the_connection_and_a_later_one_succeeds()
    {
        _simulator.Faults.RefuseLogsSubscribe(2);
        // A ticking chain sends slot notifications several times a second, so a socket without its logs
        // subscription never goes idle: only ending that connection recovers.
        var chain = _simulator.RunAsync(transactionsPerSecond: 5, _stop.Token);
        var client = NewClient();
        var run = client.RunAsync(_stop.Token);

        await Eventually.TrueAsync(() => client.State == PubSubState.Subscribed, Timeout, "subscribed after two refusals");
        Assert.Equal(2, _simulator.Stats.LogsSubscribesRefused);
        Assert.Equal(2, client.Counters.SubscribeRefused.Value);
        Assert.Equal(3, client.Counters.Connects.Value);
        Assert.Equal(0, client.Counters.Garbage.Value);
        var refusals = _logger.At(LogLevel.Warning).Where(l => l.StartsWith("The node refused logsSubscribe", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, refusals.Count);
        // The node's own error is in the line, so the operator sees why.
        Assert.Contains("subscription limit reached", refusals[0], StringComparison.Ordinal);

        // The new subscription delivers: every transaction produced from now on arrives.
        var expected = _simulator.ProduceTransactions(20).SelectMany(b => b.Transactions).Select(t => t.Signature).ToHashSet();
        await ReadUntilSeenAsync(client, expected);
        Assert.False(run.IsCompleted);
        Assert.False(chain.IsCompleted);
    }

    [Fact]
    public async Task An_exception_nobody_foresaw_costs_a_reconnect_not_the_reader()
    {
        int thrown = 0;
        // The slot callback stands in for any bug on the read path: it throws something no filter expects.
        var client = NewClient(slotSeen: _ =>
        {
            if (Interlocked.Exchange(ref thrown, 1) == 0)
            {
                throw new ArgumentException("a bug on the read path");
            }
        });
        var run = client.RunAsync(_stop.Token);
        await Eventually.TrueAsync(() => client.State == PubSubState.Subscribed, Timeout, "first subscription");

        _simulator.ProduceTransactions(5);
        await Eventually.TrueAsync(() => client.Counters.ReaderFailures.Value == 1 || run.IsCompleted, Timeout, "the failure");
        Assert.False(run.IsFaulted, run.Exception?.ToString());
        await Eventually.TrueAsync(() => client.Counters.Connects.Value == 2 && client.State == PubSubState.Subscribed, Timeout, "a reconnect");
        Assert.Contains(_logger.Lines, l => l.Level == LogLevel.Error && l.Message.Contains("a bug on the read path", StringComparison.Ordinal));

        var expected = _simulator.ProduceTransactions(20).SelectMany(b => b.Transactions).Select(t => t.Signature).ToHashSet();
        await ReadUntilSeenAsync(client, expected);
    }

    [Fact]
    public async Task Refused_connections_are_retried_no_faster_than_the_back_off_allows()
    {
        _simulator.Faults.RefuseConnections = true;
        var clock = Stopwatch.StartNew();
        var client = NewClient();
        var run = client.RunAsync(_stop.Token);

        await Eventually.TrueAsync(() => _simulator.Stats.ConnectionsRefused >= 5, Timeout, "five refused attempts");
        var elapsed = clock.Elapsed;
        // Waits after failures 1..4 are at least half of 250, 500, 1000, 2000 ms: 1,875 ms before the fifth attempt.
        // A client without back-off would make the five attempts within a few milliseconds.
        Assert.True(elapsed >= TimeSpan.FromMilliseconds(1850), $"five attempts within {elapsed.TotalMilliseconds:0} ms");
        Assert.Equal(0, client.Counters.Connects.Value);

        _simulator.Faults.RefuseConnections = false;
        await Eventually.TrueAsync(() => client.State == PubSubState.Subscribed, Timeout, "subscribed once connections are accepted");
        Assert.False(run.IsCompleted);
    }

    [Fact]
    public async Task Every_queued_item_and_resync_request_is_in_the_backlog_until_the_applier_releases_it()
    {
        var backlog = new IngestBacklog();
        var client = NewClient(backlog: backlog);
        var run = client.RunAsync(_stop.Token);
        // The state reads subscribed a moment before the subscription's resync request is made.
        await Eventually.TrueAsync(() => client.State == PubSubState.Subscribed && client.ResyncRequested, Timeout, "subscribed");

        // The subscription asks for a resync and queues its wake marker: both count until taken and released.
        Assert.True(client.ResyncRequested);
        Assert.True(backlog.ResyncPending);
        var transactions = _simulator.ProduceTransactions(10).SelectMany(b => b.Transactions).ToList();
        await Eventually.TrueAsync(() => backlog.LiveItems == transactions.Count + 1, Timeout, "the wake and every notification counted");
        Assert.False(backlog.IsEmpty);

        Assert.True(client.TryTakeResync());
        Assert.False(backlog.ResyncPending);
        int read = 0;
        while (client.Notifications.TryRead(out _))
        {
            read++;
        }
        Assert.Equal(transactions.Count + 1, read);
        // Read is not applied: the items stay in the backlog until the applier says they are stored.
        Assert.Equal(read, backlog.LiveItems);
        Assert.False(run.IsCompleted);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_logs_notification_without_logs_or_padded_past_the_runtime_limit_is_not_queued_and_asks_for_a_resync(bool padded)
    {
        var backlog = new IngestBacklog();
        var client = NewClient(backlog: backlog);
        var run = client.RunAsync(_stop.Token);
        // The state reads subscribed a moment before the subscription's resync request is made.
        await Eventually.TrueAsync(() => client.State == PubSubState.Subscribed && client.ResyncRequested, Timeout, "subscribed");
        Assert.True(client.TryTakeResync());
        // The wake marker follows the request a moment later.
        await Eventually.TrueAsync(() => client.Notifications.TryRead(out var wake) && wake.IsWake, Timeout, "the subscription's wake marker");

        if (padded)
        {
            _simulator.Faults.PaddedLogsNotificationsRate = 1;
        }
        else
        {
            _simulator.Faults.LogsNotificationsWithoutLogsRate = 1;
        }
        _simulator.ProduceTransactions(1);
        await Eventually.TrueAsync(() => client.ResyncRequested, Timeout, "a resync requested");

        // Nothing but wake markers: an unreadable notification is never handed out as one without events.
        while (client.Notifications.TryRead(out var item))
        {
            Assert.True(item.IsWake, $"{item.Signature} was queued with {item.Logs.Count} log lines");
        }
        Assert.True(client.Counters.Garbage.Value > 0);
        Assert.True(backlog.ResyncPending);
        Assert.Contains(_logger.Lines, l => l.Level == LogLevel.Warning && l.Message.Contains("(Malformed)", StringComparison.Ordinal));
        Assert.False(run.IsCompleted);
    }

    [Fact]
    public async Task The_live_queue_is_bounded_in_bytes_too_and_overflows_into_a_resync()
    {
        // 64 KB of frames where 4,096 notifications fit by count: bulky notifications overflow by size.
        var client = NewClient(maxQueuedBytes: 64 * 1024);
        var run = client.RunAsync(_stop.Token);
        // The state reads subscribed a moment before the subscription's resync request is made.
        await Eventually.TrueAsync(() => client.State == PubSubState.Subscribed && client.ResyncRequested, Timeout, "subscribed");
        Assert.True(client.TryTakeResync());

        _simulator.ProduceTransactions(200);
        await Eventually.TrueAsync(() => client.Counters.Dropped.Value > 0, Timeout, "notifications dropped over the byte bound");

        Assert.InRange(client.QueuedBytes, 1, 64 * 1024);
        Assert.True(client.Notifications.Count < 200, $"{client.Notifications.Count} queued");
        Assert.True(client.ResyncRequested, "an overflow asks for a resync");
        long queued = client.QueuedBytes;
        Assert.True(client.TryRead(out var first));
        Assert.Equal(queued - first.FrameBytes, client.QueuedBytes);
        Assert.Contains(_logger.Lines, l => l.Level == LogLevel.Warning && l.Message.StartsWith("The live queue is full", StringComparison.Ordinal));
        Assert.False(run.IsCompleted);
    }

    private SolanaPubSubClient NewClient(Action<ulong>? slotSeen = null, IngestBacklog? backlog = null, long maxQueuedBytes = SolanaPubSubClient.DefaultMaxQueuedBytes) =>
        new(_simulator.WsUri, Program, "confirmed", TimeSpan.FromSeconds(3), queueCapacity: 4096, _logger, slotSeen, backlog, maxQueuedBytes);

    private static async Task ReadUntilSeenAsync(SolanaPubSubClient client, HashSet<string> expected)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(Timeout);
        while (expected.Count > 0)
        {
            var notification = await client.Notifications.ReadAsync(timeout.Token);
            if (!notification.IsWake)
            {
                expected.Remove(notification.Signature);
            }
        }
    }
}
