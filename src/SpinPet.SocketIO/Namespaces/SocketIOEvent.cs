namespace SpinPet.SocketIO.Namespaces;

/// <summary>
/// An EVENT a client emitted: <c>42/kline,12["history",{…}]</c> is <see cref="Name"/> <c>history</c>,
/// <see cref="AckId"/> 12 and <see cref="Argument"/> the raw JSON <c>{…}</c>. The argument is a slice of the received
/// buffer, valid only during the handler call.
/// </summary>
public readonly record struct SocketIOEvent(string Name, long? AckId, ReadOnlyMemory<byte> Argument, int ArgumentCount);
