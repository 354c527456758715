using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace SpinPet.Solana.PubSub;

/// <summary>
/// What the reader does with each whole message: answers to its subscribe requests, and notifications, which it
/// queues (never waiting) or, over the queue's bounds, drops and turns into a resync request.
/// </summary>
public sealed partial class SolanaPubSubClient
{
    private void Handle(ReadOnlyMemory<byte> message, Subscriptions subscriptions)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(message);
        }
        catch (JsonException)
        {
            Bad(BadInputKind.NotJson, message);
            return;
        }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                Bad(BadInputKind.NotAnObject, message);
                return;
            }
            try
            {
                if (root.TryGetProperty("method", out var method) && method.ValueKind == JsonValueKind.String)
                {
                    HandleNotification(method.GetString(), root, subscriptions, message);
                    return;
                }
                if (root.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.Number)
                {
                    HandleResponse(id.GetInt64(), root, subscriptions, message);
                    return;
                }
                Bad(BadInputKind.Malformed, message);
            }
            // Wrong types and missing fields; SubscriptionRefusedException is none of these and ends the connection.
            catch (Exception ex) when (ex is InvalidOperationException or FormatException or KeyNotFoundException)
            {
                Bad(BadInputKind.Malformed, message);
            }
        }
    }

    private void Bad(BadInputKind kind, ReadOnlyMemory<byte> message)
    {
        Counters.Garbage.Add(1);
        _badInput.Report(kind, message.Span);
    }

    private void HandleResponse(long id, JsonElement root, Subscriptions subscriptions, ReadOnlyMemory<byte> message)
    {
        long subscription = 0;
        var hasResult = root.TryGetProperty("result", out var result) && result.ValueKind == JsonValueKind.Number && result.TryGetInt64(out subscription);
        switch (id)
        {
            case LogsRequestId when hasResult:
                subscriptions.Logs = subscription;
                _state = PubSubState.Subscribed;
                _lastError = null;
                LogSubscribed(_logger, _uri.Authority);
                RequestResync();
                break;
            case LogsRequestId:
                // Without the logs subscription the socket is useless (and the slot heartbeat would keep it open
                // forever): end the connection and try again after a back-off.
                throw new SubscriptionRefusedException("logsSubscribe",
                    BadInputLog.Excerpt(root.TryGetProperty("error", out var error) ? error.GetRawText() : root.GetRawText()));
            case SlotRequestId when hasResult:
                subscriptions.Slot = subscription;
                Volatile.Write(ref _slotHeardAtMs, NowMs());
                break;
            case SlotRequestId:
                // Some providers do not offer slotSubscribe; WebSocket pings still detect a dead socket.
                LogSlotSubscribeRefused(_logger);
                break;
            default:
                Bad(BadInputKind.UnknownResponseId, message);
                break;
        }
    }

    private void HandleNotification(string? method, JsonElement root, Subscriptions subscriptions, ReadOnlyMemory<byte> message)
    {
        var parameters = root.GetProperty("params");
        var subscription = parameters.GetProperty("subscription").GetInt64();
        var result = parameters.GetProperty("result");
        if (method == "slotNotification" && subscription == subscriptions.Slot)
        {
            NoteSlot(result.GetProperty("slot").GetUInt64());
            Volatile.Write(ref _slotHeardAtMs, NowMs());
            return;
        }
        if (method is not ("logsNotification" or "slotNotification"))
        {
            Bad(BadInputKind.UnknownMethod, message);
            return;
        }
        if (method != "logsNotification" || subscription != subscriptions.Logs)
        {
            Bad(BadInputKind.UnknownSubscription, message);
            return;
        }
        if (!TryReadLogsNotification(result, message.Length, out var notification))
        {
            // A notification of our subscription we cannot read tells of a transaction we would otherwise never
            // fetch (the checkpoint moves past it with the next one). Skipping it, or storing it with the logs it
            // lacks, would lose it; the resync's backfill lists it and fetches it whole.
            Bad(BadInputKind.Malformed, message);
            RequestResync();
            return;
        }
        Counters.Notifications.Add(1);
        NoteSlot(notification.Slot);
        _slotSeen?.Invoke(notification.Slot);
        if (_discarding)
        {
            Counters.Dropped.Add(1);
            return;
        }
        _backlog.LiveAdded();
        long queued = Interlocked.Add(ref _queuedBytes, notification.FrameBytes);
        if (queued > _maxQueuedBytes || !_queue.Writer.TryWrite(notification))
        {
            Interlocked.Add(ref _queuedBytes, -notification.FrameBytes);
            _backlog.LiveDone(1);
            _discarding = true;
            // Resync asked and logged before the drop is counted: whoever sees the count (a test, /metrics) also sees both.
            RequestResync();
            LogOverflow(_logger, _queue.Reader.Count, queued - notification.FrameBytes);
            Counters.Dropped.Add(1);
        }
    }
}
