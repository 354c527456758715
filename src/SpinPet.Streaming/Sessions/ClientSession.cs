using System.Buffers;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using SpinPet.Core.Candles;
using SpinPet.Core.Chain;
using SpinPet.Streaming.Protocol;
using SpinPet.Streaming.Topics;
using SpinPet.WebSockets;

namespace SpinPet.Streaming.Sessions;

/// <summary>
/// One /ws client: a reader that answers its requests, and one writer that drains its bounded outbox to the socket.
/// Nothing else ever writes to the socket, and nothing outside the session ever waits for it.
/// </summary>
public sealed partial class ClientSession
{
    // Frames per socket write: enough to amortize a flush, small enough to keep a batch's buffer modest.
    private const int WriteBatch = 64;

    private readonly WebSocketConnection _connection;
    private readonly TopicHub _hub;
    private readonly ICandleHistory _history;
    private readonly StreamingOptions _options;
    private readonly StreamingCounters _counters;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Outbox _outbox;
    private readonly Dictionary<TopicKey, Subscriber> _subscriptions = [];
    private readonly CancellationTokenSource _closing = new();

    // Completed with the close request. RunAsync waits on it rather than on _closing: a token's callbacks (and an
    // await on a task they complete) run inline in Cancel, which would run the session's teardown on whichever
    // thread asked for the close, possibly inside a topic's lock (a subscribe whose history overflowed the outbox).
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
    public ClientSession(WebSocketConnection connection, string remoteAddress, OutboxBudget? outboxBudget, TopicHub hub,
        ICandleHistory history, StreamingOptions options, FrameRateLimit frameLimit, StreamingCounters counters, TimeProvider time, ILogger logger)
    {
        _connection = connection;
        RemoteAddress = remoteAddress;
        _hub = hub;
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

    public int SubscriptionCount
    {
        get
        {
            lock (_subscriptions)
            {
                return _subscriptions.Count;
            }
        }
    }

    /// <summary>A copy of the current subscriptions (read-only view for the admin API).</summary>
    public IReadOnlyList<Subscriber> Subscriptions
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
            await Task.WhenAny(reader, _closeRequested.Task);
        }
        finally
        {
            DetachAll();
            _outbox.Complete();
            _counters.OutboxPeak(_outbox.PeakBytes);
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

    internal void SendReply(byte[] message) => SendReply(OutboundFrame.Reply(message));

    private void SendReply(byte[] head, SharedBytes tail) => SendReply(OutboundFrame.Reply(head, tail));

    private void SendReply(OutboundFrame reply)
    {
        if (!_outbox.Enqueue(reply))
        {
            SlowConsumer();
        }
    }

    internal void SendCandle(Subscriber subscriber, KlineFrame frame)
    {
        // Fast path: nothing queued and nobody sending, so the frame goes to the socket from the caller's thread
        // (usually completing synchronously in the kernel's send buffer) without a queue entry or a wake-up of
        // the writer. Otherwise it queues behind what is pending, conflated per the slow-consumer policy.
        // Compressing clients take the writer's path, which picks the topic's shared deflated bytes.
        if (!_connection.IsDeflateNegotiated && _outbox.TryClaimIdle(subscriber, frame.Length(subscriber.SubscriptionIdJson)))
        {
            SendDirect(subscriber, frame);
        }
        else if (!_outbox.EnqueueCandle(subscriber, frame))
        {
            SlowConsumer();
        }
    }

    private void SendDirect(Subscriber subscriber, KlineFrame frame)
    {
        Volatile.Write(ref _sendStartedAt, Stopwatch.GetTimestamp());
        var send = _connection.SendTextAsync(frame.Prefix, subscriber.SubscriptionIdJson, frame.Suffix, CancellationToken.None);
        if (send.IsCompletedSuccessfully)
        {
            send.GetAwaiter().GetResult();
            DirectSent(frame);
        }
        else
        {
            _ = CompleteDirectAsync(send, frame);
        }
    }

    private async Task CompleteDirectAsync(ValueTask send, KlineFrame frame)
    {
        bool sent = false;
        try
        {
            await send;
            sent = true;
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or WebSocketProtocolException or InvalidOperationException or OperationCanceledException)
        {
            // The connection is gone or closing; the finally below releases the send side and closes the session.
        }
        finally
        {
            // Whatever ended the send, the send side is released: a claim left behind would block the writer.
            if (sent)
            {
                DirectSent(frame);
            }
            else
            {
                Volatile.Write(ref _sendStartedAt, 0);
                _outbox.EndSend(wakeWriter: true);
                _counters.Failed(1);
                RequestClose(WebSocketCloseCodes.InternalError, "send failed");
            }
        }
    }

    private void DirectSent(KlineFrame frame)
    {
        Volatile.Write(ref _sendStartedAt, 0);
        _outbox.EndSend(wakeWriter: true);
        _counters.Sent(1);
        _counters.Latency(Stopwatch.GetElapsedTime(frame.PublishedAt).TotalMilliseconds);
    }

    /// <summary>
    /// Called by the sweeper: a client that has not taken a send for <see cref="StreamingOptions.SendTimeout"/> is a
    /// slow consumer; its socket is aborted (the pending send fails, no close frame can follow it).
    /// </summary>
    /// <remarks>
    /// Whether or not a close was already requested: a close (an overflowed outbox, the idle timeout, shutdown)
    /// waits for the writer, and the writer for this send, so without the abort a client that stopped reading
    /// would keep its session and its connection slot forever.
    /// </remarks>
    public void AbortIfSendStalled(long nowTimestamp)
    {
        long started = Volatile.Read(ref _sendStartedAt);
        if (started != 0 && Stopwatch.GetElapsedTime(started, nowTimestamp) > _options.SendTimeout)
        {
            CountSlowConsumerOnce();
            RequestClose(WebSocketCloseCodes.PolicyViolation, $"slow consumer: a send did not complete within {_options.SendTimeout.TotalSeconds:0} s");
            _connection.Abort();
        }
    }

    private void SlowConsumer()
    {
        CountSlowConsumerOnce();
        _counters.OutboxPeak(_outbox.PeakBytes);
        var cause = _outbox.OverflowCause;
        // Replies refused after the overflow come here again: the close is counted once.
        if (cause is (OutboxOverflow.AddressBudget or OutboxOverflow.ProcessBudget) && Interlocked.Exchange(ref _budgetCloseCounted, 1) == 0)
        {
            _counters.OutboxBudgetClose();
        }
        // A close reason is at most 123 bytes.
        RequestClose(WebSocketCloseCodes.PolicyViolation, cause switch
        {
            OutboxOverflow.AddressBudget => $"slow consumer: this address's connections hold more than {_options.MaxOutboxBytesPerAddress} bytes queued",
            OutboxOverflow.ProcessBudget => "slow consumer: the server's outgoing queues are full",
            _ => $"slow consumer: more than {_options.MaxOutboxBytes} bytes queued",
        });
    }

    // One client is one slow consumer, whichever of the outbox bound and the send timeout caught it first.
    private void CountSlowConsumerOnce()
    {
        if (Interlocked.Exchange(ref _slowConsumerCounted, 1) == 0)
        {
            _counters.SlowConsumer();
        }
    }

    /// <summary>Reads until the client closes, the connection fails, or our close frame is answered.</summary>
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
                        Handle(message.Payload.Span);
                        break;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or WebSocketProtocolException or ObjectDisposedException or InvalidOperationException or OperationCanceledException)
        {
            // The close frame (1002/1007) was already sent for a protocol error; otherwise the socket is gone.
            LogConnectionError(_logger, ClientId, ex.Message);
        }
    }

    private void Handle(ReadOnlySpan<byte> utf8)
    {
        if (_closing.IsCancellationRequested)
        {
            // Closing: no answer can be sent any more (the outbox is completed), so no request is worth a storage read.
            return;
        }
        var request = ClientRequest.TryParse(utf8, out var error);
        if (request is null)
        {
            Invalid(error!);
            return;
        }
        switch (request.Kind)
        {
            case RequestKind.Ping:
                SendReply(ServerMessages.Pong(NowMs()));
                break;
            case RequestKind.Subscribe:
                Subscribe(request);
                break;
            case RequestKind.Unsubscribe:
                Unsubscribe(request);
                break;
            case RequestKind.History:
                History(request);
                break;
        }
    }

    private void Subscribe(ClientRequest request)
    {
        if (!TryTopic(request, out var topic) || !TryLimit(request, out int limit))
        {
            return;
        }
        lock (_subscriptions)
        {
            if (_subscriptionsClosed)
            {
                return;
            }
            if (!_subscriptions.ContainsKey(topic) && _subscriptions.Count >= _options.MaxSubscriptionsPerClient)
            {
                SendError(ErrorCode.SubscriptionRefused, $"Subscription refused: at most {_options.MaxSubscriptionsPerClient} subscriptions per connection");
                return;
            }
        }
        try
        {
            // Subscribing again replaces the subscription (new id, fresh snapshot): counted once.
            Subscriber? previous;
            lock (_subscriptions)
            {
                _subscriptions.Remove(topic, out previous);
            }
            if (previous is not null)
            {
                // Before the new history is queued: no frame with the old subscription_id may follow it.
                _outbox.Detach(previous);
                _hub.Unsubscribe(previous);
            }
            var subscriber = _hub.Subscribe(this, topic, request.SubscriptionId, limit);
            bool closed;
            lock (_subscriptions)
            {
                closed = _subscriptionsClosed;
                if (!closed)
                {
                    _subscriptions[topic] = subscriber;
                }
            }
            if (closed)
            {
                // The session ended while this subscription was attaching (DetachAll has run and will not see it).
                _outbox.Detach(subscriber);
                _hub.Unsubscribe(subscriber);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogHistoryFailed(_logger, request.Symbol!, ex);
            SendError(ErrorCode.HistoryFailed, "History query failed: " + ex.Message);
        }
    }

    private void Unsubscribe(ClientRequest request)
    {
        if (!TryTopic(request, out var topic))
        {
            return;
        }
        Subscriber? subscriber;
        lock (_subscriptions)
        {
            _subscriptions.Remove(topic, out subscriber);
        }
        if (subscriber is not null)
        {
            // Before the confirmation is queued: no kline_data of this subscription may follow it.
            _outbox.Detach(subscriber);
            _hub.Unsubscribe(subscriber);
        }
        SendReply(ServerMessages.UnsubscribeConfirmed(topic.Mint.ToString(), topic.Interval, request.SubscriptionId ?? subscriber?.SubscriptionId, subscriber is not null, NowMs()));
    }

    private void History(ClientRequest request)
    {
        if (!TryTopic(request, out var topic) || !TryLimit(request, out int limit))
        {
            return;
        }
        if (request.From is < 0 || request.Before is < 0)
        {
            Invalid("Invalid request: from and before are unix seconds (≥ 0)");
            return;
        }
        if (request.From is not null && request.Before is not null)
        {
            Invalid("Invalid request: from and before cannot be combined (from pages forward, before pages back)");
            return;
        }
        try
        {
            var page = request.From is { } from
                ? _history.From(topic.Mint, topic.Interval, from, limit)
                : _history.Newest(topic.Mint, topic.Interval, limit, request.Before);
            SendReply(ServerMessages.HistoryData(topic, topic.Mint.ToString(), page, NowMs()));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogHistoryFailed(_logger, request.Symbol!, ex);
            SendError(ErrorCode.HistoryFailed, "History query failed: " + ex.Message);
        }
    }

    private bool TryTopic(ClientRequest request, out TopicKey topic)
    {
        topic = default;
        if (request.Symbol is null)
        {
            Invalid("Invalid request: symbol is required");
            return false;
        }
        if (!PublicKey.TryParse(request.Symbol, out var mint))
        {
            Invalid($"Invalid symbol: {ClientRequest.Shorten(request.Symbol)} is not a Solana address (base58 of 32 bytes)");
            return false;
        }
        if (request.Interval is null)
        {
            Invalid($"Invalid request: interval is required, one of: {string.Join(", ", _options.Intervals)}");
            return false;
        }
        if (!Interval.TryParse(request.Interval, out var interval) || !_options.Intervals.Contains(interval))
        {
            Invalid($"Invalid interval: {ClientRequest.Shorten(request.Interval)}, must be one of: {string.Join(", ", _options.Intervals)}");
            return false;
        }
        topic = new TopicKey(mint, interval);
        return true;
    }

    private bool TryLimit(ClientRequest request, out int limit)
    {
        limit = _options.HistoryDataLimit;
        if (request.Limit is null)
        {
            return true;
        }
        if (request.Limit is < 1 or > 1000)
        {
            Invalid($"Invalid limit: {request.Limit}, must be 1..1000");
            return false;
        }
        limit = (int)request.Limit.Value;
        return true;
    }

    private void Invalid(string message)
    {
        _counters.InvalidRequest();
        SendError(ErrorCode.InvalidRequest, message);
    }

    private void SendError(ErrorCode code, string message) => SendReply(ServerMessages.Error(code, message, NowMs()));

    private long NowMs() => _time.GetUtcNow().ToUnixTimeMilliseconds();

    private async Task WriteLoopAsync(CancellationToken ct)
    {
        // Small to start: an idle connection should hold little; the lists grow to the batch size under load.
        var batch = new List<OutboundFrame>(4);
        var messages = new List<WebSocketOutboundMessage>(4);
        try
        {
            while (true)
            {
                await _outbox.WaitAsync(ct);
                while (true)
                {
                    batch.Clear();
                    _outbox.TakeBatch(batch, WriteBatch);
                    if (batch.Count == 0)
                    {
                        break;
                    }
                    try
                    {
                        await SendAsync(batch, messages);
                    }
                    finally
                    {
                        _outbox.EndSend(wakeWriter: false);
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The session is closing; RunAsync sends the close frame.
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or WebSocketProtocolException or InvalidOperationException)
        {
            _counters.Failed(batch.Count);
            RequestClose(WebSocketCloseCodes.InternalError, "send failed");
        }
    }

    private async Task SendAsync(List<OutboundFrame> batch, List<WebSocketOutboundMessage> messages)
    {
        messages.Clear();
        bool ping = false;
        foreach (var frame in batch)
        {
            if (frame.IsPing)
            {
                ping = true;
            }
            else if (frame.Message is { } reply)
            {
                messages.Add(frame.Tail is { } tail ? Outgoing(reply, tail) : Outgoing(reply));
            }
            else if (frame.Kline is { } kline)
            {
                messages.Add(Outgoing(kline, frame.Subscriber!));
                _counters.Latency(Stopwatch.GetElapsedTime(kline.PublishedAt).TotalMilliseconds);
            }
        }
        // Not linked to the session's closing token: cancelling a send mid-frame would abort the socket, and a
        // close requested meanwhile should still reach the client after this batch. A send that never completes
        // is ended by the sweeper (AbortIfSendStalled).
        Volatile.Write(ref _sendStartedAt, Stopwatch.GetTimestamp());
        try
        {
            if (messages.Count > 0)
            {
                await _connection.SendBatchAsync(messages, CancellationToken.None);
                _counters.Sent(messages.Count);
            }
            if (ping)
            {
                await _connection.SendPingAsync(CancellationToken.None);
            }
        }
        catch (OperationCanceledException)
        {
            // The sweeper aborted the connection: the client stopped reading (counted as failed by the write loop).
            throw new IOException($"send timed out after {_options.SendTimeout.TotalSeconds:0} s");
        }
        finally
        {
            Volatile.Write(ref _sendStartedAt, 0);
        }
        if (_outbox.Conflated > 0)
        {
            _counters.Conflated(_outbox.TakeConflated());
        }
    }

    private void DetachAll()
    {
        Subscriber[] all;
        lock (_subscriptions)
        {
            _subscriptionsClosed = true;
            all = [.. _subscriptions.Values];
            _subscriptions.Clear();
        }
        foreach (var subscriber in all)
        {
            _hub.Unsubscribe(subscriber);
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
