using SpinPet.Core.Candles;
using SpinPet.Core.Stream;

namespace SpinPet.Streaming.Topics;

/// <summary>
/// How one protocol writes a candle update for its subscriptions: once per update for all of them, cut around the one
/// piece that differs per subscription (its id). <c>/ws</c>'s <c>kline_data</c> is one format
/// (<see cref="Protocol.KlineDataFormat"/>); another protocol's message for the same update is another. A topic
/// serializes an update only in the formats its subscriptions use, once each.
/// </summary>
public abstract class FrameFormat
{
    /// <summary>
    /// The shared bytes of one state of <paramref name="topic"/> (<paramref name="symbol"/> is its mint in base58),
    /// stamped <paramref name="nowMs"/>; <paramref name="sequence"/> and <paramref name="publishedAt"/> travel with it.
    /// </summary>
    public abstract KlineFrame Serialize(TopicKey topic, string symbol, Candle candle, long sequence, long nowMs, long publishedAt);

    /// <summary>
    /// The same, for a state of the batch at <paramref name="position"/> (protocol.md, "Position and resume"); what the
    /// topics call. A format that carries the position overrides this; one that does not keeps this default.
    /// </summary>
    public virtual KlineFrame Serialize(TopicKey topic, string symbol, Candle candle, long sequence, long nowMs, long publishedAt, StreamPosition position) =>
        Serialize(topic, symbol, candle, sequence, nowMs, publishedAt);
}
