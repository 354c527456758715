namespace SpinPet.SocketIO.Engine;

/// <summary>
/// One outgoing Engine.IO packet as up to three pieces sent back to back: a shared event's head, the per-client
/// splice (a subscription id's JSON) and the shared tail, or a whole packet in <see cref="Head"/> alone. Nothing is
/// copied or formatted per client; the pieces are concatenated only on the wire (one websocket text frame, or one
/// record of a polling payload).
/// </summary>
public readonly record struct EngineTextMessage(ReadOnlyMemory<byte> Head, ReadOnlyMemory<byte> Middle, ReadOnlyMemory<byte> Tail)
{
    public EngineTextMessage(ReadOnlyMemory<byte> whole)
        : this(whole, default, default)
    {
    }

    public int Length => Head.Length + Middle.Length + Tail.Length;
}
