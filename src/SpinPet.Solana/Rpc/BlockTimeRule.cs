namespace SpinPet.Solana.Rpc;

/// <summary>
/// The block times the ingest accepts from a node. A block time decides a candle's bucket, moves the chain clock
/// that finalizes every mint's candles, and is printed in RFC 3339 by the REST API, so a wrong one is never stored:
/// an answer that breaks the rule is a transient failure of the node (counted as garbage, logged and asked again).
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><b>Not before 2020-03-16</b>, the day of Solana mainnet-beta's genesis: no cluster has older blocks. This
/// also refuses 0 and every negative time.</item>
/// <item><b>At most 10 minutes ahead of this server's clock.</b> A block time far ahead would move the chain clock
/// past every open candle (all finalized) and make the mint's later events fall into buckets older than its newest
/// candle (skipped until real time caught up: a frozen chart). Real block times trail the wall clock by about a
/// second; 10 minutes also absorbs a badly set clock here or on the validators. A server whose own clock is more
/// than 10 minutes slow refuses every fresh block time and says so in its log and <c>/health</c>: fix the clock
/// (NTP). Both bounds together keep every stored time representable in RFC 3339 (years 2020 to 9999).</item>
/// <item><b>One slot, one block time</b>: the first accepted answer for a slot is used for all its transactions (see
/// <c>BlockTimeCache.Settle</c>). Times are not required to grow with the slot: Solana's can go backwards, and the
/// candle builder handles that deterministically (docs/decisions/0004).</item>
/// </list>
/// </remarks>
public static class BlockTimeRule
{
    /// <summary>2020-03-16T00:00:00Z, the day of Solana mainnet-beta's genesis.</summary>
    public const long Earliest = 1_584_316_800;

    /// <summary>How far a block time may be ahead of this server's clock.</summary>
    public static readonly TimeSpan MaxAhead = TimeSpan.FromMinutes(10);

    /// <summary>Null when <paramref name="unixSeconds"/> is acceptable at <paramref name="now"/>, else why not.</summary>
    public static string? Check(long unixSeconds, DateTimeOffset now)
    {
        if (unixSeconds < Earliest)
        {
            return $"block time {unixSeconds} is before Solana's genesis (2020-03-16)";
        }
        long latest = now.ToUnixTimeSeconds() + (long)MaxAhead.TotalSeconds;
        if (unixSeconds > latest)
        {
            // Int128: the difference of two longs can overflow long.
            Int128 ahead = (Int128)unixSeconds - now.ToUnixTimeSeconds();
            return $"block time {unixSeconds} is {ahead} s ahead of this server's clock (more than {MaxAhead.TotalSeconds:0} s: the node's clock or this one is wrong)";
        }
        return null;
    }
}
