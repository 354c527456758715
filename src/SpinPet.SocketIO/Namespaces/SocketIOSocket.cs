using SpinPet.SocketIO.Engine;
using SpinPet.SocketIO.Protocol;

namespace SpinPet.SocketIO.Namespaces;

/// <summary>
/// One client's connection to one namespace, as its handler sees it. Sending never waits: a packet is queued in the
/// session's bounded outbox (or refused when the session is gone or over its bound, which closes the session), and
/// the session's transport delivers it. Safe to call from any thread.
/// </summary>
public sealed class SocketIOSocket
{
    private readonly EngineSession _session;
    private readonly byte[] _namespaceBytes;
    private int _connected = 1;

    internal SocketIOSocket(EngineSession session, string ns, byte[] namespaceBytes, string id, ISocketIONamespaceHandler handler)
    {
        _session = session;
        Namespace = ns;
        _namespaceBytes = namespaceBytes;
        Id = id;
        Handler = handler;
    }

    /// <summary>The Socket.IO socket id sent in the CONNECT reply (not the Engine.IO session id).</summary>
    public string Id { get; }

    public string Namespace { get; }

    /// <summary>The Engine.IO session this socket lives in.</summary>
    public string SessionId => _session.Id;

    public string RemoteAddress => _session.Address;

    /// <summary>Whether the session is on the websocket transport now (false: long-polling).</summary>
    public bool IsWebSocket => _session.IsWebSocket;

    /// <summary>Bytes waiting in the session's outbox (queued and being sent).</summary>
    public long QueuedBytes => _session.Outbox.QueuedBytes;

    /// <summary>Time since the client last sent anything on its session (a packet, a pong), or since its handshake.</summary>
    public TimeSpan SinceLastReceived => _session.SinceLastReceived;

    /// <summary>The handler's own per-client state.</summary>
    public object? State { get; set; }

    public bool IsConnected => Volatile.Read(ref _connected) == 1;

    internal ISocketIONamespaceHandler Handler { get; }

    internal EngineSession Session => _session;

    internal ReadOnlySpan<byte> NamespaceBytes => _namespaceBytes;

    /// <summary>Emits <c>42/ns,["name",argument]</c> to this client; the argument is raw JSON (empty for none).</summary>
    public bool TryEmit(string eventName, ReadOnlySpan<byte> argumentJson)
    {
        SharedEventPacket.RequireNoSeparator(argumentJson, nameof(argumentJson));
        return IsConnected && _session.TrySend(new EngineTextMessage(SocketIOPacketWriter.Event(_namespaceBytes, eventName, argumentJson)));
    }

    /// <summary>Answers the client's event <paramref name="ackId"/>: <c>43/ns,&lt;id&gt;[argument]</c>.</summary>
    public bool TryAck(long ackId, ReadOnlySpan<byte> argumentJson)
    {
        SharedEventPacket.RequireNoSeparator(argumentJson, nameof(argumentJson));
        return IsConnected && _session.TrySend(new EngineTextMessage(SocketIOPacketWriter.Ack(_namespaceBytes, ackId, argumentJson)));
    }

    /// <summary>Sends a shared, unspliced event packet of this namespace.</summary>
    public bool TrySend(SharedEventPacket packet) => TrySend(packet, default);

    /// <summary>Sends a shared event packet of this namespace; a spliced one gets <paramref name="splice"/> (JSON) between its pieces.</summary>
    public bool TrySend(SharedEventPacket packet, ReadOnlyMemory<byte> splice)
    {
        ArgumentNullException.ThrowIfNull(packet);
        if (!string.Equals(packet.Namespace, Namespace, StringComparison.Ordinal))
        {
            throw new ArgumentException($"A packet of {packet.Namespace} sent to a socket of {Namespace}.", nameof(packet));
        }
        if (packet.IsSpliced == splice.IsEmpty)
        {
            throw new ArgumentException(packet.IsSpliced ? "A spliced packet needs its splice." : "Only a spliced packet takes a splice.", nameof(splice));
        }
        return IsConnected && _session.TrySend(new EngineTextMessage(packet.Head, splice, packet.Tail));
    }

    /// <summary>
    /// Ends this client's connection to the namespace: sends DISCONNECT (<c>41/ns,</c>; the client does not reconnect
    /// on its own) and calls the handler's <see cref="ISocketIONamespaceHandler.OnDisconnect"/>. Call it from within a
    /// handler call of this session.
    /// </summary>
    public void Disconnect()
    {
        if (TryMarkDisconnected())
        {
            _session.TrySend(new EngineTextMessage(SocketIOPacketWriter.Disconnect(_namespaceBytes)));
            _session.SocketIO.Remove(this);
            _session.NotifyDisconnect(this, SocketIODisconnectReason.ServerNamespaceDisconnect);
        }
    }

    /// <summary>True for the one caller that ends the connection.</summary>
    internal bool TryMarkDisconnected() => Interlocked.Exchange(ref _connected, 0) == 1;
}
