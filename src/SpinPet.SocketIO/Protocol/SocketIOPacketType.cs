namespace SpinPet.SocketIO.Protocol;

/// <summary>Socket.IO protocol v5 packet types: the first character of an Engine.IO message's data.</summary>
internal enum SocketIOPacketType
{
    Connect = 0,
    Disconnect = 1,
    Event = 2,
    Ack = 3,
    ConnectError = 4,
    BinaryEvent = 5,
    BinaryAck = 6,
}
