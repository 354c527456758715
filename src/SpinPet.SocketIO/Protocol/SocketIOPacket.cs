namespace SpinPet.SocketIO.Protocol;

/// <summary>
/// The header of a decoded Socket.IO packet (<c>&lt;type&gt;[&lt;attachments&gt;-][&lt;namespace&gt;,][&lt;id&gt;][&lt;json&gt;]</c>);
/// <see cref="Data"/> is the undecoded JSON that follows, empty when there is none. Slices of the received buffer:
/// valid while the packet is being handled.
/// </summary>
internal readonly record struct SocketIOPacket(
    SocketIOPacketType Type,
    ReadOnlyMemory<byte> Namespace,
    long? AckId,
    ReadOnlyMemory<byte> Data);
