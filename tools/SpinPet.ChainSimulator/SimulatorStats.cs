using System.Collections.Concurrent;

namespace SpinPet.ChainSimulator;

/// <summary>Counters of what the simulator served, for tests and the demo's status line. Thread-safe.</summary>
public sealed partial class SimulatorStats
{
    private readonly ConcurrentDictionary<string, long> _requestsByMethod = new(StringComparer.Ordinal);
    private long _httpRequests;
    private long _httpErrorsInjected;
    private long _connectionsRefused;
    private long _webSocketsAccepted;
    private long _webSocketsActive;
    private long _subscriptionsCreated;
    private long _subscriptionsActive;
    private long _notificationsSent;
    private long _slowConsumersClosed;
    private long _socketsDropped;
    private long _garbageBatchesSent;
    private long _badSignaturesSent;
    private long _logsSubscribesRefused;
    private long _socketsSilenced;

    internal SimulatorStats()
    {
    }

    /// <summary>JSON-RPC calls received over HTTP (each call of a batch counts), including failed ones.</summary>
    public long HttpRequests => Interlocked.Read(ref _httpRequests);

    /// <summary>JSON-RPC calls per method name; names the simulator does not know are counted as "(unknown)".</summary>
    public IReadOnlyDictionary<string, long> HttpRequestsByMethod => new Dictionary<string, long>(_requestsByMethod);

    public long HttpErrorsInjected => Interlocked.Read(ref _httpErrorsInjected);

    /// <summary>TCP connections and HTTP requests aborted because connections were being refused.</summary>
    public long ConnectionsRefused => Interlocked.Read(ref _connectionsRefused);

    public long WebSocketConnectionsAccepted => Interlocked.Read(ref _webSocketsAccepted);

    public long WebSocketConnectionsActive => Interlocked.Read(ref _webSocketsActive);

    public long SubscriptionsCreated => Interlocked.Read(ref _subscriptionsCreated);

    public long SubscriptionsActive => Interlocked.Read(ref _subscriptionsActive);

    /// <summary>logsNotification and slotNotification frames written to sockets.</summary>
    public long NotificationsSent => Interlocked.Read(ref _notificationsSent);

    /// <summary>Subscribers disconnected because their outgoing queue was full.</summary>
    public long SlowConsumersClosed => Interlocked.Read(ref _slowConsumersClosed);

    /// <summary>Connections aborted by <see cref="SimulatorFaults.DropAllSockets"/>.</summary>
    public long SocketsDropped => Interlocked.Read(ref _socketsDropped);

    public long GarbageBatchesSent => Interlocked.Read(ref _garbageBatchesSent);

    /// <summary>Notifications with a bad signature queued by <see cref="SimulatorFaults.SendBadSignatureNotifications"/>.</summary>
    public long BadSignaturesSent => Interlocked.Read(ref _badSignaturesSent);

    /// <summary>logsSubscribe requests answered with an error by <see cref="SimulatorFaults.RefuseLogsSubscribe"/>.</summary>
    public long LogsSubscribesRefused => Interlocked.Read(ref _logsSubscribesRefused);

    /// <summary>Connections silenced by <see cref="SimulatorFaults.SilenceAllSockets"/>.</summary>
    public long SocketsSilenced => Interlocked.Read(ref _socketsSilenced);

    public long HttpRequestsFor(string method) => _requestsByMethod.GetValueOrDefault(method);

    internal void HttpRequest(string method)
    {
        Interlocked.Increment(ref _httpRequests);
        _requestsByMethod.AddOrUpdate(method, 1, static (_, count) => count + 1);
        RecordRequestTime(method);
    }

    internal void HttpErrorInjected() => Interlocked.Increment(ref _httpErrorsInjected);

    internal void ConnectionRefused() => Interlocked.Increment(ref _connectionsRefused);

    internal void WebSocketOpened()
    {
        Interlocked.Increment(ref _webSocketsAccepted);
        Interlocked.Increment(ref _webSocketsActive);
    }

    internal void WebSocketClosed() => Interlocked.Decrement(ref _webSocketsActive);

    internal void SubscriptionAdded()
    {
        Interlocked.Increment(ref _subscriptionsCreated);
        Interlocked.Increment(ref _subscriptionsActive);
    }

    internal void SubscriptionsRemoved(int count) => Interlocked.Add(ref _subscriptionsActive, -count);

    /// <summary>
    /// Called with each block notification's delay from the block's publication to the end of its socket send, in
    /// milliseconds (from the connection's writer): the simulator's own share of an end-to-end latency measured from
    /// the block's emission. Null: not measured.
    /// </summary>
    public Action<double>? NotificationSendDelay { get; set; }

    internal void NotificationSent(long publishedAt = 0)
    {
        Interlocked.Increment(ref _notificationsSent);
        if (publishedAt != 0 && NotificationSendDelay is { } record)
        {
            record(System.Diagnostics.Stopwatch.GetElapsedTime(publishedAt).TotalMilliseconds);
        }
    }

    internal void SlowConsumerClosed() => Interlocked.Increment(ref _slowConsumersClosed);

    internal void SocketDropped() => Interlocked.Increment(ref _socketsDropped);

    internal void GarbageBatchSent() => Interlocked.Increment(ref _garbageBatchesSent);

    internal void BadSignatureSent() => Interlocked.Increment(ref _badSignaturesSent);

    internal void LogsSubscribeRefused() => Interlocked.Increment(ref _logsSubscribesRefused);

    internal void SocketSilenced() => Interlocked.Increment(ref _socketsSilenced);
}
