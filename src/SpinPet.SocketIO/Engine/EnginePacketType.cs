namespace SpinPet.SocketIO.Engine;

/// <summary>Engine.IO v4 packet types: the first character of a text packet is the digit of its type.</summary>
internal enum EnginePacketType
{
    Open = 0,
    Close = 1,
    Ping = 2,
    Pong = 3,
    Message = 4,
    Upgrade = 5,
    Noop = 6,
}
