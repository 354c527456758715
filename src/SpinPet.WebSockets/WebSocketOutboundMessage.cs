namespace SpinPet.WebSockets;

/// <summary>
/// One text message to send: the concatenation of <see cref="Segments"/>, either plain or, when
/// <see cref="Compressed"/>, a permessage-deflate payload (<see cref="PerMessageDeflate"/>) sent with RSV1 set.
/// </summary>
public readonly record struct WebSocketOutboundMessage(IReadOnlyList<ReadOnlyMemory<byte>> Segments, bool Compressed)
{
    public static WebSocketOutboundMessage Plain(IReadOnlyList<ReadOnlyMemory<byte>> segments) => new(segments, false);

    public static WebSocketOutboundMessage Deflated(IReadOnlyList<ReadOnlyMemory<byte>> segments) => new(segments, true);
}
