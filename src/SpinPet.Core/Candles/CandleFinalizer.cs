namespace SpinPet.Core.Candles;

/// <summary>
/// When a candle becomes final (candles.md): the ingest has caught up with the chain AND either the chain clock
/// has reached the bucket's end or the wall clock has passed it by the grace. Pure, so that the rule is tested
/// alone and the finalizer service only supplies clocks.
/// </summary>
public static class CandleFinalizer
{
    /// <summary>
    /// True when <paramref name="candle"/> (of <paramref name="interval"/>) can no longer change. The bucket is
    /// [time, time + L): a processed block time of time + L or later means the chain is past it. A candle that is
    /// already final stays final.
    /// </summary>
    /// <param name="chainClockUnix">The newest processed block time (unix seconds).</param>
    /// <param name="wallClockUnixMs">The server's clock (unix milliseconds).</param>
    /// <param name="caughtUp">No backfill of earlier slots is pending.</param>
    /// <param name="graceMs"><c>kline.finalize_grace_ms</c>.</param>
    public static bool IsFinal(
        Candle candle, Interval interval, long chainClockUnix, long wallClockUnixMs, bool caughtUp, int graceMs) =>
        IsFinal(candle, interval, caughtUp ? chainClockUnix : null, caughtUp ? wallClockUnixMs : null, graceMs);

    /// <summary>
    /// As the overload above, with each clock given only while the ingest is caught up far enough to trust it: the
    /// chain clock needs no backfill of earlier slots pending, the wall clock needs nothing known on chain unapplied.
    /// Null means that clock may not finalize anything now.
    /// </summary>
    /// <param name="chainClockUnix">The newest processed block time (unix seconds), or null.</param>
    /// <param name="wallClockUnixMs">The wall clock up to which every transaction heard of is applied (unix ms), or null.</param>
    /// <param name="graceMs"><c>kline.finalize_grace_ms</c>.</param>
    public static bool IsFinal(Candle candle, Interval interval, long? chainClockUnix, long? wallClockUnixMs, int graceMs)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(graceMs);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(interval.Seconds, nameof(interval));

        if (candle.IsFinal)
        {
            return true;
        }
        // Int128 keeps time + L and the conversion to milliseconds exact for any long inputs.
        Int128 end = (Int128)candle.Time + interval.Seconds;
        return (chainClockUnix is { } chain && chain >= end) || (wallClockUnixMs is { } wall && wall >= (end * 1000) + graceMs);
    }

    public static Candle MarkFinal(Candle candle) => candle with { IsFinal = true };

    /// <summary>
    /// The clock a finalization goes by (unix seconds): every open candle whose bucket ended at or before it is final
    /// (<see cref="IsEndedBy"/>). Exactly the rule of <see cref="IsFinal(Candle, Interval, long?, long?, int)"/> as one
    /// number, so that it can travel in the batch stream: a bucket ending at <c>end</c> is final by the chain clock
    /// when <c>chain ≥ end</c>, by the wall clock when <c>wall ≥ end × 1000 + grace</c>, that is
    /// <c>end ≤ ⌊(wall − grace) / 1000⌋</c>. Null when neither clock may finalize.
    /// </summary>
    public static long? FinalizeBy(long? chainClockUnix, long? wallClockUnixMs, int graceMs)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(graceMs);
        long? byWall = wallClockUnixMs is { } wall ? (long)Int128.Max(FloorDiv((Int128)wall - graceMs, 1000), long.MinValue) : null;
        return (chainClockUnix, byWall) switch
        {
            ({ } chain, { } w) => Math.Max(chain, w),
            ({ } chain, null) => chain,
            (null, { } w) => w,
            _ => null,
        };
    }

    /// <summary>Whether <paramref name="candle"/>'s bucket ended at or before <paramref name="finalizeBy"/> (unix seconds).</summary>
    public static bool IsEndedBy(Candle candle, Interval interval, long finalizeBy) =>
        (Int128)candle.Time + interval.Seconds <= finalizeBy;

    /// <summary>The end of the candle's bucket (unix seconds; saturated at <see cref="long.MaxValue"/>).</summary>
    public static long End(Candle candle, Interval interval) =>
        (long)Int128.Min((Int128)candle.Time + interval.Seconds, long.MaxValue);

    private static Int128 FloorDiv(Int128 value, int divisor) =>
        value >= 0 ? value / divisor : -((-value + divisor - 1) / divisor);
}
