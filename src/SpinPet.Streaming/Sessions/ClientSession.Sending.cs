using System.Diagnostics;
using SpinPet.Streaming.Topics;
using SpinPet.WebSockets;

namespace SpinPet.Streaming.Sessions;

/// <summary>
/// The way out: replies and candle frames into the outbox, or a candle frame straight to the socket when nothing is
/// queued (the direct send, decision 0002); the writer loop that drains the outbox; and the slow-consumer policy.
/// </summary>
public sealed partial class ClientSession : IRoundSink
{
    // Frames per socket write: enough to amortize a flush, small enough to keep a batch's buffer modest.
    private const int WriteBatch = 64;

    // The batch lists' room while the connection is idle; a burst (the replies and snapshots of a few subscriptions)
    // grows them, and they give the room back once nothing more is queued (ClearSendLists).
    private const int IdleListCapacity = 4;

    // The batch in hand and its messages: used only by whoever owns the send side (the writer, or the broadcaster
    // ending a round), and empty whenever nobody does: TakeBatch adds only when it claims the send side, and the
    // owner clears them before it releases it. Small to start: an idle connection should hold little.
    private readonly List<OutboundFrame> _batch = new(IdleListCapacity);
    private readonly List<WebSocketOutboundMessage> _messages = new(IdleListCapacity);

    // Joined the broadcaster's current round (DeliveryRound); touched only by the broadcaster.
    private bool _inRound;

    internal void SendReply(byte[] message) => SendReply(OutboundFrame.Reply(message));

    private void SendReply(byte[] head, SharedFrame shared) => SendReply(OutboundFrame.Reply(head, shared));

    private void SendReply(OutboundFrame reply)
    {
        if (_outbox.Enqueue(reply))
        {
            Sent.AddOther();
        }
        else
        {
            SlowConsumer();
        }
    }

    /// <summary>Queues a <c>history_data</c> message (counted apart in <see cref="Sent"/>).</summary>
    internal void SendHistory(byte[] message)
    {
        if (_outbox.Enqueue(OutboundFrame.Reply(message)))
        {
            Sent.AddHistoryData();
        }
        else
        {
            SlowConsumer();
        }
    }

    internal void SendCandle(ClientSubscription subscriber, KlineFrame frame)
    {
        // Fast path: nothing queued and nobody sending, so the frame goes to the socket from the caller's thread
        // (usually completing synchronously in the kernel's send buffer) without a queue entry or a wake-up of
        // the writer. Otherwise it queues behind what is pending, conflated per the slow-consumer policy.
        // Compressing clients take the writer's path, which picks the frame's shared compressed parts.
        if (!_connection.IsDeflateNegotiated && _outbox.TryClaimIdle(subscriber, frame.Length(subscriber.SubscriptionIdJson.Length)))
        {
            Sent.AddKlineData();
            SendDirect(subscriber, frame);
        }
        else if (_outbox.EnqueueCandle(subscriber, frame))
        {
            Sent.AddKlineData();
        }
        else
        {
            SlowConsumer();
        }
    }

    /// <summary>
    /// A candle frame of a broadcaster's round: queued (conflated per the slow-consumer policy) without waking the
    /// writer; the session joins the round once and sends everything it queued in one write when the round ends
    /// (<see cref="EndRound"/>).
    /// </summary>
    internal void QueueCandle(ClientSubscription subscriber, KlineFrame frame, DeliveryRound round)
    {
        if (!_outbox.EnqueueCandle(subscriber, frame, wake: false))
        {
            SlowConsumer();
            return;
        }
        Sent.AddKlineData();
        if (!_inRound)
        {
            _inRound = true;
            round.Join(this);
        }
    }

    /// <summary>
    /// The round's write, on the broadcaster's thread (or one of its slices): what is queued goes out in one send,
    /// which completes synchronously while the socket takes the bytes; a send that has to wait finishes in the
    /// background and hands what is left to the writer. When someone else owns the send side, its next batch takes
    /// the frames. Never throws: a failed send closes the session.
    /// </summary>
    void IRoundSink.EndRound()
    {
        _inRound = false;
        // Not _batch.Count: while the writer owns the send side, the list holds its batch.
        if (!_outbox.TakeBatch(_batch, WriteBatch))
        {
            return;
        }
        // SendAsync is async: a failure is in the task it returns, never thrown here.
        var send = SendAsync(_batch, _messages);
        if (send.IsCompletedSuccessfully)
        {
            ReleaseBatch();
        }
        else
        {
            _ = CompleteRoundSendAsync(send);
        }
    }

    private async Task CompleteRoundSendAsync(Task send)
    {
        try
        {
            await send;
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or WebSocketProtocolException or InvalidOperationException or OperationCanceledException)
        {
            _counters.MessagesFailed.Add(_batch.Count);
            RequestClose(WebSocketCloseCodes.InternalError, "send failed");
        }
        finally
        {
            ReleaseBatch();
        }
    }

    // Clears the owner's lists, then releases the send side; what was queued meanwhile wakes the writer.
    private void ReleaseBatch()
    {
        ClearSendLists();
        _outbox.EndSend(wakeWriter: true);
    }

    // Only by the send side's owner, before it releases it. Lists a burst grew shrink back once the outbox is empty, so
    // an idle connection holds a small list (~536 bytes less after a few subscriptions' snapshots); a backlogged one,
    // whose next batch is already queued, keeps its room.
    private void ClearSendLists()
    {
        _batch.Clear();
        _messages.Clear();
        if ((_messages.Capacity > IdleListCapacity || _batch.Capacity > IdleListCapacity) && _outbox.Count == 0)
        {
            _messages.Capacity = IdleListCapacity;
            _batch.Capacity = IdleListCapacity;
        }
    }

    /// <summary>An event of a subscribed stream: queued behind everything pending, never conflated; past the bound the client is closed (1008).</summary>
    internal void SendEvent(ClientEventSubscription subscriber, Events.EventFrame frame)
    {
        if (_outbox.EnqueueEvent(subscriber, OutboundFrame.Reply(subscriber.SubscriptionIdJson, frame)))
        {
            Sent.AddOther();
        }
        else
        {
            SlowConsumer();
        }
    }

    private void SendDirect(ClientSubscription subscriber, KlineFrame frame)
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
                _counters.MessagesFailed.Add(1);
                RequestClose(WebSocketCloseCodes.InternalError, "send failed");
            }
        }
    }

    private void DirectSent(KlineFrame frame)
    {
        Volatile.Write(ref _sendStartedAt, 0);
        _outbox.EndSend(wakeWriter: true);
        _counters.MessagesSent.Add(1);
        _counters.SocketWrites.Add(1);
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
        var cause = _outbox.OverflowCause;
        // Replies refused after the overflow come here again: the close is counted once.
        if (cause is (OutboxOverflow.AddressBudget or OutboxOverflow.ProcessBudget) && Interlocked.Exchange(ref _budgetCloseCounted, 1) == 0)
        {
            _counters.OutboxBudgetCloses.Add(1);
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
        // The peak first: whoever sees the close counted must also see what the outbox held when it was.
        _counters.OutboxPeakBytes.Raise(_outbox.PeakBytes);
        if (Interlocked.Exchange(ref _slowConsumerCounted, 1) == 0)
        {
            _counters.SlowConsumerCloses.Add(1);
        }
    }

    private async Task WriteLoopAsync(CancellationToken ct)
    {
        int failed = 0;
        // The outbox's wait takes no token (an idle writer would hold a cancellable wait's ~430 bytes), nor is a callback
        // registered on it (~144 bytes more): RequestClose wakes the writer through the outbox after cancelling, and the
        // writer checks the token around each wait.
        try
        {
            while (true)
            {
                ct.ThrowIfCancellationRequested();
                await _outbox.WaitAsync();
                ct.ThrowIfCancellationRequested();
                while (true)
                {
                    // Not _batch.Count: while a round's write owns the send side, the list holds its batch.
                    if (!_outbox.TakeBatch(_batch, WriteBatch))
                    {
                        break;
                    }
                    try
                    {
                        failed = _batch.Count;
                        await SendAsync(_batch, _messages);
                        failed = 0;
                    }
                    finally
                    {
                        ClearSendLists();
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
            _counters.MessagesFailed.Add(failed);
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
                messages.Add(frame.Shared is { } shared ? Outgoing(shared, reply) : Outgoing(reply));
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
                _counters.MessagesSent.Add(messages.Count);
                _counters.SocketWrites.Add(1);
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
            _counters.ConflatedUpdates.Add(_outbox.TakeConflated());
        }
    }
}
