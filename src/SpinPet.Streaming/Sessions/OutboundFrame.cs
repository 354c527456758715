using SpinPet.Streaming.Protocol;
using SpinPet.Streaming.Topics;

namespace SpinPet.Streaming.Sessions;

/// <summary>One queued message: a reply of this client's own (bytes) or a shared candle frame for one subscription.</summary>
public sealed class OutboundFrame
{
    private OutboundFrame(byte[]? message, KlineFrame? kline, Subscriber? subscriber, bool ping)
    {
        Message = message;
        Kline = kline;
        Subscriber = subscriber;
        IsPing = ping;
    }

    public byte[]? Message { get; }

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
        : Message!.Length;

    public static OutboundFrame Reply(byte[] message) => new(message, null, null, false);

    public static OutboundFrame Candle(Subscriber subscriber, KlineFrame frame) => new(null, frame, subscriber, false);

    public static OutboundFrame Ping { get; } = new(null, null, null, true);
}
