using SpinPet.Core.Candles;
using SpinPet.Core.Chain;
using SpinPet.Core.Stream;

namespace SpinPet.Streaming;

/// <summary>Stored candles, as the host's storage reads them (one ordered range read per call).</summary>
public interface ICandleHistory
{
    /// <summary>The newest <paramref name="limit"/> candles (time &lt; before when given), oldest first.</summary>
    HistoryPage Newest(PublicKey mint, Interval interval, int limit, long? before);

    /// <summary>The oldest <paramref name="limit"/> candles with time ≥ from, oldest first.</summary>
    HistoryPage From(PublicKey mint, Interval interval, long from, int limit);

    /// <summary>
    /// What a client resuming at <paramref name="seq"/> lacks (protocol.md, "Position and resume"): the current state of
    /// every candle of the topic changed after that seq or not final, oldest first, with <see cref="HistoryPage.HasMore"/>
    /// true when older candles are stored; null when more than <paramref name="limit"/> changed, or when this history
    /// cannot tell (then the client gets the ordinary snapshot).
    /// </summary>
    HistoryPage? ChangedSince(PublicKey mint, Interval interval, long seq, int limit) => null;
}

/// <summary>A window of candles in ascending time, whether more exist beyond it, and the topic's total.</summary>
public sealed record HistoryPage(IReadOnlyList<Candle> Candles, bool HasMore, long TotalCount)
{
    /// <summary>The newest batch the page reflects (its <c>seq</c> and <c>epoch</c>), set by the hub; null when unknown.</summary>
    public StreamPosition? Position { get; init; }

    /// <summary>For a subscription that asked to resume: whether the page holds only what changed since (true) or is the ordinary snapshot (false); null when it did not ask.</summary>
    public bool? Recovered { get; init; }
}
