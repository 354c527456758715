using System.Diagnostics;
using Microsoft.Extensions.Logging;
using SpinPet.Streaming.Events;
using SpinPet.Streaming.Protocol;
using SpinPet.Streaming.Topics;
using SpinPet.WebSockets;

namespace SpinPet.Streaming.Sessions;

/// <summary>
/// One /ws client: a reader that answers its requests, and one writer that drains its bounded outbox to the socket.
/// Nothing else ever writes to the socket, and nothing outside the session ever waits for it. Its subscriptions
/// (<see cref="ClientSubscription"/>) are the sinks its topics deliver to; the session, not the topic, decides how a
/// shared frame goes on the wire (plain, or with its shared compressed parts: ClientSession.Compression.cs).
/// </summary>
public sealed partial class ClientSession
{
    private readonly WebSocketConnection _connection;
    private readonly TopicHub _hub;
    private readonly ICandleHistory _history;
    private readonly StreamingOptions _options;
    private readonly StreamingCounters _counters;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Outbox _outbox;
    private readonly Dictionary<TopicKey, ClientSubscription> _subscriptions = [];

    // Event streams by mint; guarded by the _subscriptions lock, and counted with the topics against
    // kline.max_subscriptions_per_client. Made with the first: most connections never open one.
    private Dictionary<Core.Chain.PublicKey, ClientEventSubscription>? _eventSubscriptions;

    private int EventSubscriptionCount => _eventSubscriptions?.Count ?? 0;
    private readonly EventHub _events;
    private readonly CancellationTokenSource _closing = new();

    // Completed with the close request, or when the reader ends (so RunAsync waits on one task, not on a WhenAny of two
    // per connection). RunAsync waits on it rather than on _closing: a token's callbacks (and an await on a task they
    // complete) run inline in Cancel, which would run the session's teardown on whichever thread asked for the close,
    // possibly inside a topic's lock (a subscribe whose history overflowed the outbox).
    private readonly TaskCompletionSource _closeRequested = new(TaskCreationOptions.RunContinuationsAsynchronously);

    // Set under the _subscriptions lock when the session detaches everything at its end: a subscription attached
    // after that (the reader was still attaching when the close came) is detached again at once instead of staying
    // in its topic forever with this session pinned behind it.
    private bool _subscriptionsClosed;
    private ushort _closeCode = WebSocketCloseCodes.NormalClosure;
    private string _closeReason = "";
    private long _lastPingAt;
    private int _slowConsumerCounted;
    private int _budgetCloseCounted;

    // Stopwatch timestamp at which the send in progress started, 0 when none: the sweeper aborts a client whose
    // send has not completed within StreamingOptions.SendTimeout (10 s; cheaper than a timer per send).
    private long _sendStartedAt;

    /// <param name="outboxBudget">
    /// The budget of the client's address (<see cref="SessionRegistry.TryReserve"/>) its outbox reserves credit from
    /// beyond <see cref="Outbox.FreeBytes"/>; null for an outbox bounded only by <see cref="StreamingOptions.MaxOutboxBytes"/>.
    /// </param>
    /// <param name="frameLimit">The endpoint's inbound limit; the connection gets a bucket of it.</param>
    public ClientSession(WebSocketConnection connection, string remoteAddress, OutboxBudget? outboxBudget, TopicHub hub, EventHub events,
        ICandleHistory history, StreamingOptions options, FrameRateLimit frameLimit, StreamingCounters counters, TimeProvider time, ILogger logger)
    {
        _connection = connection;
        RemoteAddress = remoteAddress;
        _hub = hub;
        _events = events;
        _history = history;
        _options = options;
        _counters = counters;
        _time = time;
        _logger = logger;
        _outbox = new Outbox(options.MaxOutboxBytes, outboxBudget);
        // Every frame the client sends takes a token, control and continuation frames included (the connection's
        // reader takes them); refusals are counted on the limit.
        _connection.FrameLimit = frameLimit.CreateBucket();
        _lastPingAt = Environment.TickCount64;
    }

    public string ClientId { get; } = Guid.NewGuid().ToString();

    public string RemoteAddress { get; }

    /// <summary>K-line topics and event streams, as counted against <c>kline.max_subscriptions_per_client</c>.</summary>
    public int SubscriptionCount
    {
        get
        {
            lock (_subscriptions)
            {
                return _subscriptions.Count + EventSubscriptionCount;
            }
        }
    }

    /// <summary>A copy of the current subscriptions (read-only view for the admin API).</summary>
    public IReadOnlyList<ClientSubscription> Subscriptions
    {
        get
        {
            lock (_subscriptions)
            {
                return [.. _subscriptions.Values];
            }
        }
    }

    public int QueuedFrames => _outbox.Count;

    /// <summary>Bytes the outbox holds now (queued messages and the send in progress).</summary>
    public long QueuedBytes => _outbox.Bytes;

    public long LastReceivedAt => _connection.LastReceivedAt;

    /// <summary>Stopwatch timestamp of the session's start (the admin route's <c>connection_duration_seconds</c>).</summary>
    public long ConnectedAt { get; } = Stopwatch.GetTimestamp();

    /// <summary>The messages this client was given (the admin route's <c>message_stats</c>).</summary>
    public SentMessageCounts Sent { get; } = new();

    /// <summary>
    /// Runs the connection to its end: greeting, reader and writer. The reader is never cancelled (cancelling a read
    /// would abort the socket without a close code); a close requested from outside stops the writer and sends the
    /// close frame, and the reader then sees the client's answer.
    /// </summary>
    public async Task RunAsync(CancellationToken shutdown)
    {
        using var onShutdown = shutdown.Register(static state => ((ClientSession)state!).RequestClose(WebSocketCloseCodes.GoingAway, "server shutting down"), this);
        var writer = WriteLoopAsync(_closing.Token);
        long now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        // Only the head is this connection's: the symbol list is serialized once for every greeting until it changes.
        SendReply(ServerMessages.ConnectionSuccessHead(ClientId, now / 1000), _hub.GreetingTail());
        var reader = ReadLoopAsync();
        try
        {
            await _closeRequested.Task;
        }
        finally
        {
            DetachAll();
            _outbox.Complete();
            _counters.OutboxPeakBytes.Raise(_outbox.PeakBytes);
            RequestClose(WebSocketCloseCodes.NormalClosure, "");
            await writer;
            await CloseQuietlyAsync();
            await reader;
        }
    }

    /// <summary>Ends the session with a close code (idle timeout, shutdown, slow consumer); safe from any thread.</summary>
    public void RequestClose(ushort code, string reason)
    {
        lock (_closing)
        {
            if (_closing.IsCancellationRequested)
            {
                return;
            }
            _closeCode = code;
            _closeReason = reason;
            _closing.Cancel();
        }
        // The writer waits on its outbox without a token (Outbox.WaitAsync); it sees _closing once woken.
        _outbox.WakeWriter();
        _closeRequested.TrySetResult();
    }

    /// <summary>Queues a ping frame when the ping interval has passed (called by the sweeper).</summary>
    public void PingIfDue(long nowTicks)
    {
        if (nowTicks - _lastPingAt >= (long)_options.PingInterval.TotalMilliseconds)
        {
            _lastPingAt = nowTicks;
            _outbox.Enqueue(OutboundFrame.Ping);
        }
    }

    /// <summary>Reads until the client closes, the connection fails, or our close frame is answered; then ends the session.</summary>
    private async Task ReadLoopAsync()
    {
        try
        {
            while (true)
            {
                var message = await _connection.ReceiveAsync(CancellationToken.None);
                switch (message.Kind)
                {
                    case WebSocketMessageKind.Close:
                        return;
                    case WebSocketMessageKind.TooLarge:
                        // Sent directly (the connection serializes it with the writer's frames) so it precedes the close.
                        await _connection.SendTextAsync(ServerMessages.Error(ErrorCode.MessageTooLarge,
                            $"Message too large: the limit is {_options.MaxMessageBytes} bytes", NowMs()), CancellationToken.None);
                        RequestClose(WebSocketCloseCodes.MessageTooBig, "message too large");
                        return;
                    case WebSocketMessageKind.RateLimited:
                        // Counted by the bucket; answered like any dropped message.
                        SendError(ErrorCode.RateLimited, $"Rate limited: at most {_options.MaxMessagesPerSecond} messages per second (burst {_options.MessageBurst}); message dropped");
                        break;
                    case WebSocketMessageKind.Binary:
                        // Its frames took tokens like any message's, so a binary flood is limited too.
                        SendError(ErrorCode.InvalidRequest, "Binary messages are not supported: send JSON text");
                        break;
                    default:
                        if (Handle(message.Payload.Span) is { } waiting)
                        {
                            await waiting;
                        }
                        break;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or WebSocketProtocolException or ObjectDisposedException or InvalidOperationException or OperationCanceledException)
        {
            // The close frame (1002/1007) was already sent for a protocol error; otherwise the socket is gone.
            LogConnectionError(_logger, ClientId, ex.Message);
        }
        finally
        {
            _closeRequested.TrySetResult();
        }
    }

    private void DetachAll()
    {
        ClientSubscription[] all;
        ClientEventSubscription[] streams;
        lock (_subscriptions)
        {
            _subscriptionsClosed = true;
            all = [.. _subscriptions.Values];
            _subscriptions.Clear();
            streams = _eventSubscriptions is null ? [] : [.. _eventSubscriptions.Values];
            _eventSubscriptions = null;
        }
        foreach (var subscription in all)
        {
            End(subscription);
        }
        foreach (var stream in streams)
        {
            End(stream);
        }
    }

    private async Task CloseQuietlyAsync()
    {
        try
        {
            // The connection waits up to 2 s for the client's close frame, then drops the socket itself.
            await _connection.CloseAsync(_closeCode, _closeReason, CancellationToken.None);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException or WebSocketProtocolException or InvalidOperationException)
        {
            _connection.Abort();
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Client {ClientId} connection error: {Reason}")]
    private static partial void LogConnectionError(ILogger logger, string clientId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "History query for {Symbol} failed")]
    private static partial void LogHistoryFailed(ILogger logger, string symbol, Exception exception);
}
