using SpinPet.Core.Chain;

namespace SpinPet.Storage;

/// <summary>
/// The time window of a history read, as inclusive bucket times <see cref="First"/> … <see cref="Last"/>. Every
/// request form (newest, before, from, to) reduces to this, and the window to the two iterate bounds of one topic's
/// key range, so a read never sees another topic's keys and RocksDB stops at the bound instead of at a prefix check.
/// </summary>
internal readonly record struct CandleQuery(long First, long Last)
{
    public bool IsEmpty => First > Last;

    /// <summary>time &lt; <paramref name="before"/> (when given) and time ≤ <paramref name="to"/> (when given).</summary>
    public static CandleQuery Newest(long? before, long? to)
    {
        long last = to ?? long.MaxValue;
        if (before is { } exclusive)
        {
            if (exclusive == long.MinValue)
            {
                return new CandleQuery(0, -1);
            }
            last = Math.Min(last, exclusive - 1);
        }
        return new CandleQuery(long.MinValue, last);
    }

    /// <summary>time ≥ <paramref name="from"/> and time ≤ <paramref name="to"/> (when given).</summary>
    public static CandleQuery From(long from, long? to) => new(from, to ?? long.MaxValue);

    /// <summary>The inclusive lower iterate bound: the key of <see cref="First"/>.</summary>
    public byte[] LowerBound(in PublicKey mint, uint seconds)
    {
        var bound = new byte[CandleKeys.CandleLength];
        CandleKeys.WriteCandle(bound, mint, seconds, First);
        return bound;
    }

    /// <summary>The exclusive upper iterate bound: the key of <see cref="Last"/> ‖ 00, just above it.</summary>
    public byte[] UpperBound(in PublicKey mint, uint seconds)
    {
        var bound = new byte[CandleKeys.InclusiveUpperBoundLength];
        CandleKeys.WriteInclusiveUpperBound(bound, mint, seconds, Last);
        return bound;
    }
}
