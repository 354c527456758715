using SpinPet.Core.Candles;
using SpinPet.Core.Chain;

namespace SpinPet.Streaming;

/// <summary>Stored candles, as the host's storage reads them (one ordered range read per call).</summary>
public interface ICandleHistory
{
    /// <summary>The newest <paramref name="limit"/> candles (time &lt; before when given), oldest first.</summary>
    HistoryPage Newest(PublicKey mint, Interval interval, int limit, long? before);

    /// <summary>The oldest <paramref name="limit"/> candles with time ≥ from, oldest first.</summary>
    HistoryPage From(PublicKey mint, Interval interval, long from, int limit);
}

/// <summary>A window of candles in ascending time, whether more exist beyond it, and the topic's total.</summary>
public sealed record HistoryPage(IReadOnlyList<Candle> Candles, bool HasMore, long TotalCount);
