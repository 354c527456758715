using SpinPet.Streaming.Protocol;
using SpinPet.Streaming.Topics;

namespace SpinPet.Streaming.Sessions;

/// <summary>
/// One queued message: a reply of this client's own (bytes, optionally followed by bytes shared with other clients)
/// or a shared candle frame for one subscription.
/// </summary>
public sealed class OutboundFrame
{
    private OutboundFrame(byte[]? message, SharedBytes? tail, KlineFrame? kline, Subscriber? subscriber, bool ping)
    {
        Message = message;
        Tail = tail;
        Kline = kline;
        Subscriber = subscriber;
        IsPing = ping;
    }

    /// <summary>A reply's bytes (for a reply with a <see cref="Tail"/>, its first part).</summary>
    public byte[]? Message { get; }

    /// <summary>The shared rest of a reply (connection_success's symbol list), sent right after <see cref="Message"/>.</summary>
    public SharedBytes? Tail { get; }

    /// <summary>Replaced in place while queued when a newer state of the same candle arrives (conflation).</summary>
    public KlineFrame? Kline { get; internal set; }

    public Subscriber? Subscriber { get; }

    public bool IsPing { get; }

    /// <summary>A realtime frame made pointless by a final state of the same candle queued after it.</summary>
    internal bool Superseded { get; set; }

    /// <summary>What the frame counts against the outbox's byte bound while queued (set by the outbox).</summary>
    internal long Bytes { get; set; }

    /// <summary>The message's length on the wire, without the frame header.</summary>
    internal int WireLength => IsPing ? 0
        : Kline is { } kline ? kline.Length(Subscriber!.SubscriptionIdJson)
        : Message!.Length + (Tail?.Plain.Length ?? 0);

    public static OutboundFrame Reply(byte[] message) => new(message, null, null, null, false);

    public static OutboundFrame Reply(byte[] head, SharedBytes tail) => new(head, tail, null, null, false);

    public static OutboundFrame Candle(Subscriber subscriber, KlineFrame frame) => new(null, null, frame, subscriber, false);

    public static OutboundFrame Ping { get; } = new(null, null, null, null, true);
}
