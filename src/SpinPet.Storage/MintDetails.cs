using SpinPet.Core.Chain;

namespace SpinPet.Storage;

/// <summary>
/// What the store keeps about one mint, derived from its events in the batch that stores them: when it was first
/// and last seen, where its TokenCreatedEvent is, its latest price and running totals. Positions order "first",
/// "latest" and "fees" by chain order, so a transaction arriving late for an older slot cannot overwrite newer
/// values. An instance handed out is never changed: the writer stages a copy and publishes it after the write.
/// </summary>
public sealed class MintDetails
{
    internal MintDetails(PublicKey mint) => Mint = mint;

    public PublicKey Mint { get; }

    /// <summary>The mint's first event of any kind, in chain order.</summary>
    public ChainPosition FirstPosition { get; internal set; }

    public long FirstBlockTime { get; internal set; }

    /// <summary>The mint's newest event of any kind (its latest activity).</summary>
    public ChainPosition LatestPosition { get; internal set; }

    public long LatestBlockTime { get; internal set; }

    /// <summary>Where its TokenCreatedEvent is stored (read it for name, symbol, uri, accounts); null if not seen.</summary>
    public ChainPosition? CreatedPosition { get; internal set; }

    /// <summary>The newest <c>latest_price</c> of a BuySell, LongShort, FullClose or PartialClose event; null before the first trade.</summary>
    public UInt128? LatestPrice { get; internal set; }

    public ChainPosition LatestPricePosition { get; internal set; }

    /// <summary>Block time of the event that set <see cref="LatestPrice"/> (0 before the first trade).</summary>
    public long LatestTradeTime { get; internal set; }

    /// <summary>SOL of every spot trade, buys and sells (lamports).</summary>
    public UInt128 TotalSolAmount { get; internal set; }

    /// <summary>Margin of every opened long or short (lamports).</summary>
    public UInt128 TotalMarginSolAmount { get; internal set; }

    public ulong TotalForceLiquidations { get; internal set; }

    /// <summary><c>user_close_profit</c> of every full and partial close (lamports).</summary>
    public UInt128 TotalCloseProfit { get; internal set; }

    /// <summary>Current fees: set by the TokenCreatedEvent, lowered by MilestoneDiscountEvents; null if neither was seen.</summary>
    public ChainPosition? FeesPosition { get; internal set; }

    public ushort SwapFee { get; internal set; }

    public ushort BorrowFee { get; internal set; }

    public byte FeeDiscountFlag { get; internal set; }

    /// <summary>Stored events of the mint (the length of its <c>mint_events</c> range).</summary>
    public ulong EventCount { get; internal set; }

    public uint OpenLongOrders { get; internal set; }

    public uint OpenShortOrders { get; internal set; }

    internal MintDetails Clone() => (MintDetails)MemberwiseClone();
}
