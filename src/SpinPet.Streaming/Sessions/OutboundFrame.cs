using SpinPet.Streaming.Topics;

namespace SpinPet.Streaming.Sessions;

/// <summary>
/// One queued message: a reply of this client's own (bytes, or its own head inside a frame shared with other clients)
/// or a shared candle frame for one subscription.
/// </summary>
/// <remarks>
/// A value, held in the outbox's ring: a broadcast to 10,000 clients must not allocate a queue entry per client
/// (it was the fan-out's largest allocation once the frames' buffers were shared). Conflation replaces
/// <see cref="Kline"/> in the ring slot the subscription's sequence number points at.
/// </remarks>
public struct OutboundFrame
{
    private OutboundFrame(byte[]? message, SharedFrame? shared, KlineFrame? kline, ClientSubscription? subscriber, bool ping)
    {
        Message = message;
        Shared = shared;
        Kline = kline;
        Subscriber = subscriber;
        IsPing = ping;
    }

    /// <summary>A reply's bytes (for a reply in a <see cref="Shared"/> frame, its piece).</summary>
    public readonly byte[]? Message { get; }

    /// <summary>The frame a reply's <see cref="Message"/> goes into (connection_success: the symbol list after it).</summary>
    public readonly SharedFrame? Shared { get; }

    /// <summary>Replaced in place while queued when a newer state of the same candle arrives (conflation).</summary>
    public KlineFrame? Kline { readonly get; internal set; }

    public readonly ClientSubscription? Subscriber { get; }

    public readonly bool IsPing { get; }

    /// <summary>A realtime frame made pointless by a final state of the same candle queued after it.</summary>
    internal bool Superseded { readonly get; set; }

    /// <summary>What the frame counts against the outbox's byte bound while queued (set by the outbox).</summary>
    internal long Bytes { readonly get; set; }

    /// <summary>The message's length on the wire, without the frame header.</summary>
    internal readonly int WireLength => IsPing ? 0
        : Kline is { } kline ? kline.Length(Subscriber!.SubscriptionIdJson.Length)
        : Shared?.Length(Message!.Length) ?? Message!.Length;

    public static OutboundFrame Reply(byte[] message) => new(message, null, null, null, false);

    public static OutboundFrame Reply(byte[] head, SharedFrame shared) => new(head, shared, null, null, false);

    public static OutboundFrame Candle(ClientSubscription subscriber, KlineFrame frame) => new(null, null, frame, subscriber, false);

    public static OutboundFrame Ping { get; } = new(null, null, null, null, true);
}
