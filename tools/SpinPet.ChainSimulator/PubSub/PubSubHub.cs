using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using SpinPet.ChainSimulator.Chain;
using SpinPet.ChainSimulator.Hosting;

namespace SpinPet.ChainSimulator.PubSub;

/// <summary>
/// The live PubSub connections: accepts them, fans produced blocks out to their subscriptions (slot first, then
/// each transaction in block order) and applies socket faults to all of them.
/// </summary>
internal sealed class PubSubHub
{
    private readonly ConcurrentDictionary<long, PubSubConnection> _connections = new();
    private readonly SimulatorOptions _options;
    private readonly SimulatorStats _stats;
    private readonly PubSubRequests _requests;
    private long _nextConnectionId;
    private long _lastSlot;
    private double _withoutLogsRate;
    private double _paddedLogsRate;

    // Subscription ids count from 0 per node, as Agave's do.
    private long _nextSubscriptionId = -1;

    public PubSubHub(SimulatorOptions options, SimulatorStats stats)
    {
        _options = options;
        _stats = stats;
        _requests = new PubSubRequests(() => (ulong)Interlocked.Increment(ref _nextSubscriptionId), stats);
    }

    public async Task AcceptAsync(HttpContext context, CancellationToken shutdown)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.Response.WriteAsync("Expected a WebSocket upgrade", context.RequestAborted).ConfigureAwait(false);
            return;
        }
        using var socket = await context.WebSockets.AcceptWebSocketAsync().ConfigureAwait(false);
        long id = Interlocked.Increment(ref _nextConnectionId);
        using var connection = new PubSubConnection(id, socket, context, _requests, _stats, _options.SubscriberQueueCapacity, shutdown)
        {
            Silence = context.Features.Get<ConnectionSilence>(),
        };
        _connections[id] = connection;
        _stats.WebSocketOpened();
        try
        {
            await connection.RunAsync().ConfigureAwait(false);
        }
        finally
        {
            _connections.TryRemove(id, out _);
            _stats.WebSocketClosed();
            _stats.SubscriptionsRemoved(connection.Subscriptions.Count);
        }
    }

    /// <summary>Share of logs notifications sent with <c>"logs": null</c> (<see cref="SimulatorFaults.LogsNotificationsWithoutLogsRate"/>).</summary>
    public double WithoutLogsRate
    {
        get => Volatile.Read(ref _withoutLogsRate);
        set => Volatile.Write(ref _withoutLogsRate, value);
    }

    /// <summary>Share of logs notifications sent with their logs padded past 80,000 characters (<see cref="SimulatorFaults.PaddedLogsNotificationsRate"/>).</summary>
    public double PaddedLogsRate
    {
        get => Volatile.Read(ref _paddedLogsRate);
        set => Volatile.Write(ref _paddedLogsRate, value);
    }

    /// <summary>Queues a produced block's notifications on every matching subscription; never waits on a socket.</summary>
    public void PublishBlock(SimulatedBlock block, ulong parent, IReadOnlyList<LedgerTransaction> transactions)
    {
        Volatile.Write(ref _lastSlot, (long)block.Slot);
        if (_connections.IsEmpty)
        {
            return;
        }
        long publishedAt = Stopwatch.GetTimestamp();
        // Nodes root a block about 32 slots after it is produced.
        ulong root = block.Slot > 32 ? block.Slot - 32 : 0;
        byte[] slotPrefix = Notifications.SlotPrefix(block.Slot, parent, root);
        var logsPrefixes = new byte[transactions.Count][];
        double withoutLogs = WithoutLogsRate;
        double paddedLogs = PaddedLogsRate;
        for (int i = 0; i < transactions.Count; i++)
        {
            // Fault dice use their own generator so that injecting faults never changes the chain a seed produces.
            bool dropLogs = withoutLogs > 0 && Random.Shared.NextDouble() < withoutLogs;
            bool padLogs = !dropLogs && paddedLogs > 0 && Random.Shared.NextDouble() < paddedLogs;
            logsPrefixes[i] = Notifications.LogsPrefix(transactions[i], withLogs: !dropLogs, padded: padLogs);
            if (dropLogs || padLogs)
            {
                _stats.NotificationWithoutLogsSent();
            }
        }
        var published = (hub: this, slotPrefix, logsPrefixes, transactions, publishedAt);
        foreach (var connection in _connections.Values)
        {
            connection.Publish(published, static (connection, subscriptions, block) =>
            {
                foreach (var subscription in subscriptions)
                {
                    if (subscription.Kind == SubscriptionKind.Slot)
                    {
                        connection.Enqueue(OutgoingFrame.Notification(Notifications.Complete(block.slotPrefix, subscription.Id)));
                    }
                }
                for (int i = 0; i < block.transactions.Count; i++)
                {
                    foreach (var subscription in subscriptions)
                    {
                        if (subscription.Kind == SubscriptionKind.Logs && block.hub.Mentions(block.transactions[i], subscription.Mention))
                        {
                            connection.Enqueue(OutgoingFrame.Notification(Notifications.Complete(block.logsPrefixes[i], subscription.Id), block.publishedAt));
                        }
                    }
                }
            });
        }
    }

    public void DropAll()
    {
        foreach (var connection in _connections.Values)
        {
            _stats.SocketDropped();
            connection.Abort();
        }
    }

    public void RefuseLogsSubscribe(int times) => _requests.RefuseLogsSubscribe(times);

    public void SilenceAll()
    {
        foreach (var connection in _connections.Values)
        {
            _stats.SocketSilenced();
            connection.GoSilent();
        }
    }

    public void SendGarbage()
    {
        var frames = new GarbageFrames(_options.ProgramId);
        foreach (var connection in _connections.Values)
        {
            foreach (var frame in frames.For(connection))
            {
                connection.Enqueue(frame);
            }
            _stats.GarbageBatchSent();
        }
    }

    /// <summary>Two logs notifications with a bad signature on every logs subscription, for the newest block's slot.</summary>
    public void SendBadSignatureNotifications()
    {
        // The newest block's slot, so a client that prefetches its block time asks for one that exists.
        ulong slot = Math.Max((ulong)Volatile.Read(ref _lastSlot), _options.GenesisSlot);
        foreach (var connection in _connections.Values)
        {
            foreach (var frame in BadSignatureFrames.For(connection, _options.ProgramId, slot))
            {
                connection.Enqueue(frame);
                _stats.BadSignatureSent();
            }
        }
    }

    private bool Mentions(LedgerTransaction transaction, string? mention) =>
        mention is null || mention == _options.ProgramId || transaction.Message.AccountKeys.Contains(mention);
}
