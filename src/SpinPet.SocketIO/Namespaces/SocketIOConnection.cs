using System.Security.Cryptography;
using System.Text;
using SpinPet.SocketIO.Engine;
using SpinPet.SocketIO.Protocol;

namespace SpinPet.SocketIO.Namespaces;

/// <summary>
/// The Socket.IO layer of one Engine.IO session: which namespaces the client joined, and the dispatch of its packets
/// as the reference server does it. CONNECT to an unknown namespace gets CONNECT_ERROR; a packet for a namespace not
/// joined, a second CONNECT, an undecodable header or a binary packet end the session. An EVENT whose data is bad
/// goes to the namespace handler as a rejection (the /kline contract answers it with <c>error</c> 1001 rather than
/// dropping the client).
/// </summary>
internal sealed class SocketIOConnection(EngineSession session, SocketIOServer server)
{
    private readonly Lock _gate = new();
    private readonly List<SocketIOSocket> _sockets = new(2);
    private int _joined;

    /// <summary>Whether the client ever joined a namespace (the connect timeout only closes sessions that never did).</summary>
    public bool HasJoined => Volatile.Read(ref _joined) == 1;

    public void Remove(SocketIOSocket socket)
    {
        lock (_gate)
        {
            _sockets.Remove(socket);
        }
    }

    /// <summary>Empties the namespace list (the session ended).</summary>
    public SocketIOSocket[] TakeAll()
    {
        lock (_gate)
        {
            var all = _sockets.ToArray();
            _sockets.Clear();
            return all;
        }
    }

    /// <summary>One Socket.IO packet (an Engine.IO message's data); false when the session is closing afterwards.</summary>
    public async ValueTask<bool> HandleAsync(ReadOnlyMemory<byte> data, bool admitted)
    {
        if (!SocketIOPacketReader.TryReadHeader(data, out var packet, out var problem))
        {
            session.FailProtocol(problem!, data.Span);
            return false;
        }
        var socket = Find(packet.Namespace.Span);
        if (data.Length > server.Options.MaxPacketBytes)
        {
            session.Counters.OverSize();
            session.Reject($"Socket.IO packet of {data.Length} bytes (limit {server.Options.MaxPacketBytes})", data.Span);
            return await RefuseAndCloseAsync(socket, packet, SocketIORejection.TooLarge, 1009);
        }
        switch (packet.Type)
        {
            case SocketIOPacketType.Connect:
                return await ConnectAsync(socket, packet, admitted, data);
            case SocketIOPacketType.Disconnect:
                if (socket is null || !packet.Data.IsEmpty)
                {
                    session.FailProtocol(socket is null ? "DISCONNECT for a namespace not joined" : "DISCONNECT with data", data.Span);
                    return false;
                }
                Remove(socket);
                if (socket.TryMarkDisconnected())
                {
                    session.NotifyDisconnect(socket, SocketIODisconnectReason.ClientNamespaceDisconnect);
                }
                return true;
            case SocketIOPacketType.Event:
                return await EventAsync(socket, packet, admitted, data);
            case SocketIOPacketType.Ack:
                if (socket is null || !SocketIOPacketReader.IsArray(packet.Data.Span))
                {
                    session.FailProtocol(socket is null ? "ACK for a namespace not joined" : "ACK data is not a JSON array", data.Span);
                    return false;
                }
                // The server asks for no acknowledgements, so any ack answers nothing (the reference ignores it too).
                return true;
            case SocketIOPacketType.BinaryEvent or SocketIOPacketType.BinaryAck:
                session.Reject("binary Socket.IO packet (not served)", data.Span);
                return await RefuseAndCloseAsync(socket, packet, SocketIORejection.BinaryNotSupported, 1003);
            default:
                session.FailProtocol("CONNECT_ERROR from a client", data.Span);
                return false;
        }
    }

    private async ValueTask<bool> ConnectAsync(SocketIOSocket? existing, SocketIOPacket packet, bool admitted, ReadOnlyMemory<byte> raw)
    {
        if (existing is not null)
        {
            session.FailProtocol("CONNECT to a namespace already joined", raw.Span);
            return false;
        }
        if (!packet.Data.IsEmpty && !SocketIOPacketReader.IsObject(packet.Data.Span))
        {
            session.FailProtocol("CONNECT payload is not a JSON object", raw.Span);
            return false;
        }
        if (!admitted)
        {
            // Dropped like any packet past the rate (counted and logged by the session); the client's own connect
            // timeout tells it.
            return true;
        }
        string ns = Encoding.UTF8.GetString(packet.Namespace.Span);
        var handler = server.FindNamespace(ns);
        if (handler is null)
        {
            session.TrySend(new EngineTextMessage(SocketIOPacketWriter.ConnectError(packet.Namespace.Span, "Invalid namespace")));
            return true;
        }
        var socket = new SocketIOSocket(session, ns, packet.Namespace.ToArray(), NewSocketId(), handler);
        lock (_gate)
        {
            _sockets.Add(socket);
        }
        Volatile.Write(ref _joined, 1);
        session.TrySend(new EngineTextMessage(SocketIOPacketWriter.ConnectReply(socket.NamespaceBytes, socket.Id)));
        return await CallHandlerAsync(socket, static (s, p, ct) => s.Handler.OnConnectAsync(s, p.Data, ct), packet);
    }

    private async ValueTask<bool> EventAsync(SocketIOSocket? socket, SocketIOPacket packet, bool admitted, ReadOnlyMemory<byte> raw)
    {
        if (socket is null)
        {
            session.FailProtocol("EVENT for a namespace not joined", raw.Span);
            return false;
        }
        if (!admitted)
        {
            return await CallHandlerAsync(socket, static (s, p, ct) => s.Handler.OnRejectedAsync(s, SocketIORejection.RateLimited, p.AckId, ct), packet);
        }
        if (!SocketIOPacketReader.TryReadEvent(packet.Data, out string name, out var argument, out int count, out string? problem))
        {
            session.Counters.InvalidPayload();
            session.Reject(problem!, raw.Span);
            return await CallHandlerAsync(socket, static (s, p, ct) => s.Handler.OnRejectedAsync(s, SocketIORejection.InvalidPayload, p.AckId, ct), packet);
        }
        var received = new SocketIOEvent(name, packet.AckId, argument, count);
        return await CallHandlerAsync(socket, static (s, e, ct) => s.Handler.OnEventAsync(s, e, ct), received);
    }

    /// <summary>Lets the namespace answer a refusal it must hear of, then closes the session once that answer is out.</summary>
    private async ValueTask<bool> RefuseAndCloseAsync(SocketIOSocket? socket, SocketIOPacket packet, SocketIORejection rejection, int webSocketCode)
    {
        if (socket is not null && packet.Type is SocketIOPacketType.Event or SocketIOPacketType.BinaryEvent)
        {
            await CallHandlerAsync(socket, (s, p, ct) => s.Handler.OnRejectedAsync(s, rejection, p.AckId, ct), packet);
        }
        else
        {
            session.Counters.ProtocolError();
        }
        session.Close(SocketIODisconnectReason.Refused, webSocketCode);
        return false;
    }

    /// <summary>Runs a handler call; a throw is logged, counted and closes the session (the process stays up).</summary>
    private async ValueTask<bool> CallHandlerAsync<T>(SocketIOSocket socket, Func<SocketIOSocket, T, CancellationToken, ValueTask> call, T argument)
    {
        try
        {
            await call(socket, argument, session.Closing);
            return session.IsOpen;
        }
        catch (OperationCanceledException) when (session.Closing.IsCancellationRequested)
        {
            return false;
        }
        catch (Exception ex)
        {
            session.Counters.HandlerFailed();
            SocketIOLog.HandlerFailed(server.Logger, ex, socket.Namespace, session.Id);
            session.Close(SocketIODisconnectReason.HandlerFailure);
            return false;
        }
    }

    private SocketIOSocket? Find(ReadOnlySpan<byte> ns)
    {
        lock (_gate)
        {
            foreach (var socket in _sockets)
            {
                if (socket.NamespaceBytes.SequenceEqual(ns))
                {
                    return socket;
                }
            }
        }
        return null;
    }

    /// <summary>20 characters of base64url from 15 random bytes, as the reference's socket ids.</summary>
    internal static string NewSocketId()
    {
        Span<byte> random = stackalloc byte[15];
        RandomNumberGenerator.Fill(random);
        return Convert.ToBase64String(random).Replace('+', '-').Replace('/', '_');
    }
}
