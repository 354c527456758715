using SpinPet.Core.Chain;
using SpinPet.Core.Stream;
using SpinPet.Streaming.Protocol;

namespace SpinPet.Streaming.Sessions;

/// <summary>The event stream's requests (protocol.md, "The event stream of a mint"): checked like a topic's, answered through the outbox.</summary>
public sealed partial class ClientSession
{
    /// <summary>A resume from a seq this node has not applied yet: waits up to 2 s, like a topic's (<see cref="SubscribeWhenCaughtUpAsync"/>).</summary>
    private async Task SubscribeEventsWhenCaughtUpAsync(ClientRequest request, StreamPosition resume)
    {
        try
        {
            await _events.WaitForPositionAsync(resume.Epoch, resume.Seq, ResumeWait, _closing.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_closing.IsCancellationRequested)
        {
            return;
        }
        SubscribeEvents(request);
    }

    private void SubscribeEvents(ClientRequest request)
    {
        if (!RequestChecks.TryMint(request, out var mint, out var error)
            || !RequestChecks.TryLimit(request, RequestChecks.DefaultEventLimit, out int limit, out error))
        {
            Invalid(error);
            return;
        }
        lock (_subscriptions)
        {
            if (_subscriptionsClosed)
            {
                return;
            }
            if (_eventSubscriptions?.ContainsKey(mint) != true && _subscriptions.Count + EventSubscriptionCount >= _options.MaxSubscriptionsPerClient)
            {
                SendError(ErrorCode.SubscriptionRefused, $"Subscription refused: at most {_options.MaxSubscriptionsPerClient} subscriptions per connection");
                return;
            }
        }
        try
        {
            // Subscribing again replaces the subscription (new id, fresh snapshot): counted once. The old one ends
            // before the new history is queued: no frame with the old subscription_id may follow it.
            End(RemoveEvents(mint));
            var subscription = new ClientEventSubscription(this, mint, request.SubscriptionId);
            _events.Subscribe(subscription, limit, request.Resume);
            bool closed;
            lock (_subscriptions)
            {
                closed = _subscriptionsClosed;
                if (!closed)
                {
                    (_eventSubscriptions ??= [])[mint] = subscription;
                }
            }
            if (closed)
            {
                End(subscription);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogHistoryFailed(_logger, request.Symbol!, ex);
            SendError(ErrorCode.HistoryFailed, "History query failed: " + ex.Message);
        }
    }

    private void UnsubscribeEvents(ClientRequest request)
    {
        if (!RequestChecks.TryMint(request, out var mint, out var error))
        {
            Invalid(error);
            return;
        }
        // Ended before the confirmation is queued: no event_data of this subscription may follow it.
        var subscription = RemoveEvents(mint);
        End(subscription);
        SendReply(ServerMessages.EventUnsubscribeConfirmed(mint.ToString(), request.SubscriptionId ?? subscription?.SubscriptionId, subscription is not null, NowMs()));
    }

    private ClientEventSubscription? RemoveEvents(PublicKey mint)
    {
        lock (_subscriptions)
        {
            ClientEventSubscription? subscription = null;
            _eventSubscriptions?.Remove(mint, out subscription);
            return subscription;
        }
    }

    /// <summary>Ends an event subscription: from now on none of its frames is queued, and its topic drops it.</summary>
    private void End(ClientEventSubscription? subscription)
    {
        if (subscription is not null)
        {
            _outbox.Detach(subscription);
            _events.Unsubscribe(subscription);
        }
    }
}
