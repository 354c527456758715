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
    /// stamped <paramref name="nowMs"/>, produced by the batch at <paramref name="position"/> (protocol.md, "Position
    /// and resume"); <paramref name="sequence"/>, <paramref name="publishedAt"/> and the position travel with it.
    /// </summary>
    public abstract KlineFrame Serialize(TopicKey topic, string symbol, Candle candle, long sequence, long nowMs, long publishedAt, StreamPosition position);
}
