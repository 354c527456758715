using SpinPet.Core.Candles;
using SpinPet.Core.Chain;
using SpinPet.Core.Stream;
using SpinPet.Streaming.Protocol;
using SpinPet.Streaming.Topics;

namespace SpinPet.Streaming.Sessions;

/// <summary>The client's requests (protocol.md "Client → server"): checked, then answered through the outbox.</summary>
public sealed partial class ClientSession
{
    // protocol.md, "Position and resume": a node behind a resuming client waits up to 2 s for the client's seq.
    private static readonly TimeSpan ResumeWait = TimeSpan.FromSeconds(2);

    /// <summary>Answers one message; a task when the answer waits (a resume ahead of this node), which the reader awaits.</summary>
    private Task? Handle(ReadOnlySpan<byte> utf8)
    {
        if (_closing.IsCancellationRequested)
        {
            // Closing: no answer can be sent any more (the outbox is completed), so no request is worth a storage read.
            return null;
        }
        var request = ClientRequest.TryParse(utf8, out var error);
        if (request is null)
        {
            Invalid(error!);
            return null;
        }
        switch (request.Kind)
        {
            case RequestKind.Ping:
                SendReply(ServerMessages.Pong(NowMs()));
                break;
            case RequestKind.Subscribe:
                if (request.Resume is { } resume && resume.Epoch == _hub.Position.Epoch && resume.Seq > _hub.Position.Seq)
                {
                    return SubscribeWhenCaughtUpAsync(request, resume);
                }
                Subscribe(request);
                break;
            case RequestKind.Unsubscribe:
                Unsubscribe(request);
                break;
            case RequestKind.History:
                History(request);
                break;
            case RequestKind.SubscribeEvents:
                if (request.Resume is { } from && from.Epoch == _hub.Position.Epoch && from.Seq > _hub.Position.Seq)
                {
                    return SubscribeEventsWhenCaughtUpAsync(request, from);
                }
                SubscribeEvents(request);
                break;
            case RequestKind.UnsubscribeEvents:
                UnsubscribeEvents(request);
                break;
        }
        return null;
    }

    /// <summary>
    /// A resume from a seq this node has not applied yet: the reader (only this connection's) waits, holding no thread,
    /// until it has or 2 s passed; the subscription then recovers or gets the ordinary snapshot.
    /// </summary>
    private async Task SubscribeWhenCaughtUpAsync(ClientRequest request, StreamPosition resume)
    {
        try
        {
            await _hub.WaitForPositionAsync(resume.Epoch, resume.Seq, ResumeWait, _closing.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_closing.IsCancellationRequested)
        {
            // Closing: nothing can be answered any more; the reader goes on to see the client's close.
            return;
        }
        Subscribe(request);
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
            if (!_subscriptions.ContainsKey(topic) && _subscriptions.Count + EventSubscriptionCount >= _options.MaxSubscriptionsPerClient)
            {
                SendError(ErrorCode.SubscriptionRefused, $"Subscription refused: at most {_options.MaxSubscriptionsPerClient} subscriptions per connection");
                return;
            }
        }
        try
        {
            // Subscribing again replaces the subscription (new id, fresh snapshot): counted once. The old one ends
            // before the new history is queued: no frame with the old subscription_id may follow it.
            End(Remove(topic));
            var subscription = new ClientSubscription(this, topic, request.SubscriptionId);
            _hub.Subscribe(subscription, limit, request.Resume);
            bool closed;
            lock (_subscriptions)
            {
                closed = _subscriptionsClosed;
                if (!closed)
                {
                    _subscriptions[topic] = subscription;
                }
            }
            if (closed)
            {
                // The session ended while this subscription was attaching (DetachAll has run and will not see it).
                End(subscription);
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
        // Ended before the confirmation is queued: no kline_data of this subscription may follow it.
        var subscription = Remove(topic);
        End(subscription);
        SendReply(ServerMessages.UnsubscribeConfirmed(topic.Mint.ToString(), topic.Interval, request.SubscriptionId ?? subscription?.SubscriptionId, subscription is not null, NowMs()));
    }

    private ClientSubscription? Remove(TopicKey topic)
    {
        lock (_subscriptions)
        {
            _subscriptions.Remove(topic, out var subscription);
            return subscription;
        }
    }

    /// <summary>Ends a subscription: from now on none of its frames is queued or sent, and its topic drops it.</summary>
    private void End(ClientSubscription? subscription)
    {
        if (subscription is not null)
        {
            _outbox.Detach(subscription);
            _hub.Unsubscribe(subscription);
        }
    }

    private void History(ClientRequest request)
    {
        if (!TryTopic(request, out var topic) || !TryLimit(request, out int limit))
        {
            return;
        }
        if (!RequestChecks.TryHistoryRange(request, out var rangeError))
        {
            Invalid(rangeError);
            return;
        }
        try
        {
            // Read before the candles: the page reflects at least this batch.
            var position = _hub.Position;
            var page = RequestChecks.Read(_history, request, topic, limit);
            SendHistory(ServerMessages.HistoryData(topic, topic.Mint.ToString(), page with { Position = position }, NowMs()));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogHistoryFailed(_logger, request.Symbol!, ex);
            SendError(ErrorCode.HistoryFailed, "History query failed: " + ex.Message);
        }
    }

    private bool TryTopic(ClientRequest request, out TopicKey topic)
    {
        if (!RequestChecks.TryTopic(request, _options.Intervals, out topic, out var error))
        {
            Invalid(error);
            return false;
        }
        return true;
    }

    private bool TryLimit(ClientRequest request, out int limit)
    {
        if (!RequestChecks.TryLimit(request, _options.HistoryDataLimit, out limit, out var error))
        {
            Invalid(error);
            return false;
        }
        return true;
    }

    private void Invalid(string message)
    {
        SendError(ErrorCode.InvalidRequest, message);
    }

    private void SendError(ErrorCode code, string message) => SendReply(ServerMessages.Error(code, message, NowMs()));

    private long NowMs() => _time.GetUtcNow().ToUnixTimeMilliseconds();
}
