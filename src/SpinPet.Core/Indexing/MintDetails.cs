using SpinPet.Core.Chain;

namespace SpinPet.Core.Indexing;

/// <summary>
/// What is known about one mint from its events: when it was first and last seen, where its TokenCreatedEvent is,
/// its latest price and running totals (<see cref="MintStatistics"/> folds an event into it). Positions order
/// "first", "latest" and "fees" by chain order, so a transaction arriving late for an older slot cannot overwrite
/// newer values.
/// </summary>
/// <remarks>
/// Mutable so that the indexer folds a batch's events into one copy per touched mint (<see cref="Clone"/>) instead of
/// allocating per event. An instance the store hands out is never changed: the indexer folds into a copy and the
/// store publishes that copy after the write.
/// </remarks>
public sealed class MintDetails
{
    public MintDetails(PublicKey mint) => Mint = mint;

    public PublicKey Mint { get; }

    /// <summary>The mint's first event of any kind, in chain order.</summary>
    public ChainPosition FirstPosition { get; set; }

    public long FirstBlockTime { get; set; }

    /// <summary>The mint's newest event of any kind (its latest activity).</summary>
    public ChainPosition LatestPosition { get; set; }

    public long LatestBlockTime { get; set; }

    /// <summary>Where its TokenCreatedEvent is stored (read it for name, symbol, uri, accounts); null if not seen.</summary>
    public ChainPosition? CreatedPosition { get; set; }

    /// <summary>The newest <c>latest_price</c> of a BuySell, LongShort, FullClose or PartialClose event; null before the first trade.</summary>
    public UInt128? LatestPrice { get; set; }

    public ChainPosition LatestPricePosition { get; set; }

    /// <summary>Block time of the event that set <see cref="LatestPrice"/> (0 before the first trade).</summary>
    public long LatestTradeTime { get; set; }

    /// <summary>SOL of every spot trade, buys and sells (lamports).</summary>
    public UInt128 TotalSolAmount { get; set; }

    /// <summary>Margin of every opened long or short (lamports).</summary>
    public UInt128 TotalMarginSolAmount { get; set; }

    public ulong TotalForceLiquidations { get; set; }

    /// <summary><c>user_close_profit</c> of every full and partial close (lamports).</summary>
    public UInt128 TotalCloseProfit { get; set; }

    /// <summary>Current fees: set by the TokenCreatedEvent, lowered by MilestoneDiscountEvents; null if neither was seen.</summary>
    public ChainPosition? FeesPosition { get; set; }

    public ushort SwapFee { get; set; }

    public ushort BorrowFee { get; set; }

    public byte FeeDiscountFlag { get; set; }

    /// <summary>Stored events of the mint (the length of its <c>mint_events</c> range).</summary>
    public ulong EventCount { get; set; }

    public uint OpenLongOrders { get; set; }

    public uint OpenShortOrders { get; set; }

    /// <summary>A copy to fold into, leaving this one as it is.</summary>
    public MintDetails Clone() => (MintDetails)MemberwiseClone();
}
