using System.Collections.Frozen;
using System.Net.WebSockets;
using System.Text.Json;
using SpinPet.ChainSimulator.Rpc;
using SpinPet.Core.Chain;

namespace SpinPet.ChainSimulator.PubSub;

/// <summary>
/// Answers PubSub requests: logsSubscribe / slotSubscribe and their unsubscribes, with a node's error messages.
/// A subscribe's reply is queued before the subscription is registered, so no notification can overtake it.
/// </summary>
internal sealed class PubSubRequests
{
    private static readonly JsonElement NoId = default;

    private readonly Func<ulong> _nextSubscriptionId;
    private readonly SimulatorStats _stats;
    private readonly FrozenDictionary<string, Action<RpcCall, PubSubConnection>> _methods;
    private int _logsRefusalsLeft;

    public PubSubRequests(Func<ulong> nextSubscriptionId, SimulatorStats stats)
    {
        _nextSubscriptionId = nextSubscriptionId;
        _stats = stats;
        _methods = new Dictionary<string, Action<RpcCall, PubSubConnection>>(StringComparer.Ordinal)
        {
            ["logsSubscribe"] = LogsSubscribe,
            ["logsUnsubscribe"] = (call, connection) => Unsubscribe(call, connection, SubscriptionKind.Logs),
            ["slotSubscribe"] = SlotSubscribe,
            ["slotUnsubscribe"] = (call, connection) => Unsubscribe(call, connection, SubscriptionKind.Slot),
        }.ToFrozenDictionary(StringComparer.Ordinal);
    }

    public void Handle(ReadOnlyMemory<byte> message, WebSocketMessageType type, PubSubConnection connection)
    {
        if (type != WebSocketMessageType.Text)
        {
            Reply(connection, Notifications.Error(NoId, new RpcError(JsonRpc.ParseError, "Parse error")));
            return;
        }
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(message, JsonRpc.ReaderOptions);
        }
        catch (JsonException)
        {
            Reply(connection, Notifications.Error(NoId, new RpcError(JsonRpc.ParseError, "Parse error")));
            return;
        }
        using (document)
        {
            if (!JsonRpc.TryReadCall(document.RootElement, out var call))
            {
                Reply(connection, Notifications.Error(call.Id, new RpcError(JsonRpc.InvalidRequest, "Invalid request")));
                return;
            }
            if (_methods.TryGetValue(call.Method, out var method))
            {
                method(call, connection);
            }
            else
            {
                Reply(connection, Notifications.Error(call.Id, new RpcError(JsonRpc.MethodNotFound, "Method not found")));
            }
        }
    }

    /// <summary>The next <paramref name="times"/> logsSubscribe requests are answered with an error (0 stops it).</summary>
    public void RefuseLogsSubscribe(int times) => Volatile.Write(ref _logsRefusalsLeft, times);

    private bool TryTakeLogsRefusal()
    {
        int left;
        do
        {
            left = Volatile.Read(ref _logsRefusalsLeft);
            if (left <= 0)
            {
                return false;
            }
        }
        while (Interlocked.CompareExchange(ref _logsRefusalsLeft, left - 1, left) != left);
        return true;
    }

    private void LogsSubscribe(RpcCall call, PubSubConnection connection)
    {
        if (TryTakeLogsRefusal())
        {
            // What an overloaded node or a provider over its subscription quota answers.
            _stats.LogsSubscribeRefused();
            Reply(connection, Notifications.Error(call.Id, new RpcError(JsonRpc.InternalError, "Internal error: subscription limit reached (fault injection)")));
            return;
        }
        var filter = JsonRpc.Param(call.Params, 0);
        string? mention = null;
        RpcError? error = null;
        if (filter.ValueKind == JsonValueKind.String && (filter.ValueEquals("all") || filter.ValueEquals("allWithVotes")))
        {
            mention = null;
        }
        else if (filter.ValueKind == JsonValueKind.Object && filter.TryGetProperty("mentions", out var mentions) && mentions.ValueKind == JsonValueKind.Array)
        {
            if (mentions.GetArrayLength() != 1)
            {
                error = new RpcError(JsonRpc.InvalidParams, "Invalid Request: Only 1 address supported");
            }
            else if (mentions[0].ValueKind != JsonValueKind.String || !PublicKey.TryParse(mentions[0].GetString(), out _))
            {
                error = new RpcError(JsonRpc.InvalidParams, "Invalid Request: Invalid pubkey provided");
            }
            else
            {
                mention = mentions[0].GetString();
            }
        }
        else
        {
            error = JsonRpc.InvalidParamsError("expected \"all\", \"allWithVotes\" or {\"mentions\":[address]}");
        }
        // Every commitment is accepted; the simulator notifies at confirmed.
        error ??= CommitmentParser.Read(JsonRpc.Param(call.Params, 1), confirmedOrAbove: false, out _);
        if (error is { } failure)
        {
            Reply(connection, Notifications.Error(call.Id, failure));
            return;
        }
        ulong id = _nextSubscriptionId();
        connection.AddSubscription(new Subscription(id, SubscriptionKind.Logs, mention), OutgoingFrame.Text(Notifications.Result(call.Id, id)));
    }

    private void SlotSubscribe(RpcCall call, PubSubConnection connection)
    {
        ulong id = _nextSubscriptionId();
        connection.AddSubscription(new Subscription(id, SubscriptionKind.Slot, Mention: null), OutgoingFrame.Text(Notifications.Result(call.Id, id)));
    }

    private static void Unsubscribe(RpcCall call, PubSubConnection connection, SubscriptionKind kind)
    {
        var idParam = JsonRpc.Param(call.Params, 0);
        if (idParam.ValueKind != JsonValueKind.Number || !idParam.TryGetUInt64(out ulong id) || !connection.RemoveSubscription(id, kind))
        {
            Reply(connection, Notifications.Error(call.Id, new RpcError(JsonRpc.InvalidParams, "Invalid subscription id.")));
            return;
        }
        Reply(connection, Notifications.Result(call.Id, true));
    }

    private static void Reply(PubSubConnection connection, byte[] bytes) => connection.Enqueue(OutgoingFrame.Text(bytes));
}
