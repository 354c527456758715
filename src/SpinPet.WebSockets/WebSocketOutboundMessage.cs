namespace SpinPet.WebSockets;

/// <summary>
/// One text message to send: the concatenation of its segments, either plain or, when <see cref="Compressed"/>, a
/// permessage-deflate payload (<see cref="PerMessageDeflate"/>) sent with RSV1 set. Up to three segments are held
/// inline: a candle frame is its shared prefix, the client's subscription id and the shared suffix, and a broadcast
/// makes one of these per client per frame, so an array for them was a third of the fan-out's allocations.
/// </summary>
public readonly struct WebSocketOutboundMessage
{
    private readonly ReadOnlyMemory<byte> _first;
    private readonly ReadOnlyMemory<byte> _second;
    private readonly ReadOnlyMemory<byte> _third;
    private readonly IReadOnlyList<ReadOnlyMemory<byte>>? _segments;

    private WebSocketOutboundMessage(ReadOnlyMemory<byte> first, ReadOnlyMemory<byte> second, ReadOnlyMemory<byte> third, int count, bool compressed)
    {
        (_first, _second, _third) = (first, second, third);
        SegmentCount = count;
        Compressed = compressed;
    }

    private WebSocketOutboundMessage(IReadOnlyList<ReadOnlyMemory<byte>> segments, bool compressed)
    {
        ArgumentNullException.ThrowIfNull(segments);
        _segments = segments;
        SegmentCount = segments.Count;
        Compressed = compressed;
    }

    public int SegmentCount { get; }

    public bool Compressed { get; }

    /// <summary>The message's bytes (compressed ones when <see cref="Compressed"/>): the segments' lengths summed.</summary>
    public long Length
    {
        get
        {
            long total = 0;
            for (int i = 0; i < SegmentCount; i++)
            {
                total += Segment(i).Length;
            }
            return total;
        }
    }

    public ReadOnlyMemory<byte> Segment(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, SegmentCount);
        return _segments is { } segments ? segments[index] : index switch { 0 => _first, 1 => _second, _ => _third };
    }

    public static WebSocketOutboundMessage Plain(ReadOnlyMemory<byte> payload) => new(payload, default, default, 1, false);

    public static WebSocketOutboundMessage Plain(ReadOnlyMemory<byte> head, ReadOnlyMemory<byte> middle, ReadOnlyMemory<byte> tail) =>
        new(head, middle, tail, 3, false);

    public static WebSocketOutboundMessage Plain(IReadOnlyList<ReadOnlyMemory<byte>> segments) => new(segments, false);

    public static WebSocketOutboundMessage Deflated(ReadOnlyMemory<byte> payload) => new(payload, default, default, 1, true);

    public static WebSocketOutboundMessage Deflated(ReadOnlyMemory<byte> head, ReadOnlyMemory<byte> middle, ReadOnlyMemory<byte> tail) =>
        new(head, middle, tail, 3, true);

    public static WebSocketOutboundMessage Deflated(IReadOnlyList<ReadOnlyMemory<byte>> segments) => new(segments, true);
}
