using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using SpinPet.SocketIO.Namespaces;

namespace SpinPet.SocketIO.Tests.Hosting;

/// <summary>
/// A trivial <c>/kline</c> handler for the tests: greets with <c>connection_success</c>, echoes <c>echo</c> (as an
/// ack when one is asked, else as an event), answers <c>subscribe</c> with a shared spliced <c>kline_data</c> (the
/// fan-out's path), leaves on <c>leave</c>, drops the whole session on <c>drop</c>, and answers rejections with the
/// /kline contract's <c>error</c> codes. It records what it saw.
/// </summary>
internal sealed class EchoNamespace : ISocketIONamespaceHandler
{
    /// <summary>The shared frame every subscriber gets, with its own subscription id spliced in.</summary>
    public static readonly SharedEventPacket KlineData =
        SharedEventPacket.CreateSpliced("/kline", "kline_data", """{"symbol":"S","subscription_id":"""u8, ""","data":{"close":1.5}}"""u8);

    public ConcurrentQueue<string> Seen { get; } = new();

    public ConcurrentDictionary<string, SocketIOSocket> Connected { get; } = new();

    public ConcurrentQueue<(string Id, SocketIODisconnectReason Reason)> Disconnected { get; } = new();

    public ValueTask OnConnectAsync(SocketIOSocket socket, ReadOnlyMemory<byte> auth, CancellationToken ct)
    {
        Connected[socket.Id] = socket;
        Seen.Enqueue("connect " + Encoding.UTF8.GetString(auth.Span));
        socket.TryEmit("connection_success", Encoding.UTF8.GetBytes($$"""{"client_id":"{{socket.Id}}","server_time":1}"""));
        return default;
    }

    public ValueTask OnEventAsync(SocketIOSocket socket, SocketIOEvent received, CancellationToken ct)
    {
        Seen.Enqueue($"event {received.Name} {Encoding.UTF8.GetString(received.Argument.Span)} ack={received.AckId}");
        switch (received.Name)
        {
            case "echo" when received.Argument.Span.IsEmpty || received.Argument.Span[0] != (byte)'{':
                return Error(socket, 1001, "argument must be an object", received.AckId);
            case "echo" when received.AckId is long id:
                socket.TryAck(id, received.Argument.Span);
                break;
            case "echo":
                socket.TryEmit("echo", received.Argument.Span);
                break;
            case "subscribe":
                using (var document = JsonDocument.Parse(received.Argument))
                {
                    var subscriptionId = JsonSerializer.SerializeToUtf8Bytes(document.RootElement.GetProperty("subscription_id").GetString());
                    socket.TrySend(KlineData, subscriptionId);
                }
                break;
            case "leave":
                socket.Disconnect();
                break;
            case "drop":
                socket.Session.Close(SocketIODisconnectReason.ServerShutdown);
                break;
            default:
                return Error(socket, 1001, "unknown event " + received.Name, received.AckId);
        }
        return default;
    }

    public ValueTask OnRejectedAsync(SocketIOSocket socket, SocketIORejection rejection, long? ackId, CancellationToken ct)
    {
        Seen.Enqueue("rejected " + rejection);
        int code = rejection switch
        {
            SocketIORejection.RateLimited => 1004,
            SocketIORejection.TooLarge => 1005,
            _ => 1001,
        };
        return Error(socket, code, rejection.ToString(), ackId);
    }

    public void OnDisconnect(SocketIOSocket socket, SocketIODisconnectReason reason)
    {
        Connected.TryRemove(socket.Id, out _);
        Disconnected.Enqueue((socket.Id, reason));
    }

    private static ValueTask Error(SocketIOSocket socket, int code, string message, long? ackId)
    {
        byte[] error = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object> { ["code"] = code, ["message"] = message });
        if (ackId is long id)
        {
            socket.TryAck(id, error);
        }
        else
        {
            socket.TryEmit("error", error);
        }
        return default;
    }
}
