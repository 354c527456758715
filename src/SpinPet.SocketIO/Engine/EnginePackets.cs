namespace SpinPet.SocketIO.Engine;

/// <summary>
/// The Engine.IO v4 text packet codec: a packet is its type digit followed by its data. Over long-polling several
/// packets travel in one HTTP body, separated by the record separator 0x1E (which valid JSON never contains raw: JSON
/// writers escape control characters). Binary packets (a <c>b</c> + base64 over polling, binary frames over a
/// websocket) are not part of the subset and fail to parse like any unknown type.
/// </summary>
internal static class EnginePackets
{
    public const byte RecordSeparator = 0x1E;

    // Server packets without data, shared by every session: each is one byte on the wire (plus "probe").
    public static readonly byte[] Close = "1"u8.ToArray();
    public static readonly byte[] Ping = "2"u8.ToArray();
    public static readonly byte[] Noop = "6"u8.ToArray();
    public static readonly byte[] ProbePong = "3probe"u8.ToArray();

    public static ReadOnlySpan<byte> ProbePing => "2probe"u8;

    /// <summary>Reads the type digit; false for an empty packet, a binary one or a type outside 0–6.</summary>
    public static bool TryReadType(ReadOnlySpan<byte> packet, out EnginePacketType type)
    {
        type = default;
        if (packet.IsEmpty || packet[0] < (byte)'0' || packet[0] > (byte)'6')
        {
            return false;
        }
        type = (EnginePacketType)(packet[0] - '0');
        return true;
    }

    /// <summary>
    /// The next packet of a long-polling payload, advancing <paramref name="offset"/> past it and its separator.
    /// False once the payload is consumed. An empty packet (two separators in a row) is returned as empty, for the
    /// caller to refuse.
    /// </summary>
    public static bool TryReadNext(ReadOnlyMemory<byte> payload, ref int offset, out ReadOnlyMemory<byte> packet)
    {
        if (offset > payload.Length || (offset == payload.Length && offset > 0))
        {
            packet = default;
            return false;
        }
        var rest = payload[offset..];
        int separator = rest.Span.IndexOf(RecordSeparator);
        if (separator < 0)
        {
            packet = rest;
            offset = payload.Length + 1;
            return true;
        }
        packet = rest[..separator];
        offset += separator + 1;
        return true;
    }
}
