using SpinPet.Core.Candles;
using SpinPet.Core.Stream;

namespace SpinPet.Streaming.Topics;

/// <summary>
/// One candle update of a topic in one protocol's format (<see cref="FrameFormat"/>), serialized once and shared by
/// every subscription of that protocol: the message around the subscription's id, which each connection puts between
/// <see cref="SharedFrame.Prefix"/> and <see cref="SharedFrame.Suffix"/>; nothing is formatted per subscriber.
/// </summary>
public sealed class KlineFrame(byte[] prefix, byte[] suffix, Candle candle, long sequence, long publishedAt, StreamPosition position = default)
    : SharedFrame(prefix, suffix)
{
    public Candle Candle { get; } = candle;

    /// <summary>The topic's publication number: subscribers attached after it never receive it twice.</summary>
    public long Sequence { get; } = sequence;

    public bool IsFinal => Candle.IsFinal;

    /// <summary>When the ingest published this state (<see cref="System.Diagnostics.Stopwatch"/> timestamp): the start of the broadcast latency.</summary>
    public long PublishedAt { get; } = publishedAt;

    /// <summary>The batch this state came from (its <c>seq</c> and <c>epoch</c>); default for a format that does not carry it.</summary>
    public StreamPosition Position { get; } = position;
}
