using SpinPet.Core.Chain;
using SpinPet.Core.Events;

namespace SpinPet.Core.Indexing;

/// <summary>
/// The fold of a mint's events into its <see cref="MintDetails"/> (docs/storage.md, "What belongs where"): first and
/// latest position, latest price, totals, liquidations, fees and open-order counts. Pure: no I/O, the same events in
/// the same order give the same row, so a replay of the event log reproduces what the live run stored.
/// </summary>
public static class MintStatistics
{
    /// <summary>
    /// Folds one event of the mint, stored at <paramref name="position"/>, into <paramref name="mint"/>. Values that
    /// mean "latest" (and "first", and the fees) follow chain order, not arrival order.
    /// </summary>
    public static void Observe(MintDetails mint, SpinPetEvent ev, ChainPosition position, long blockTime)
    {
        ArgumentNullException.ThrowIfNull(mint);
        ArgumentNullException.ThrowIfNull(ev);
        if (mint.EventCount == 0 || position < mint.FirstPosition)
        {
            mint.FirstPosition = position;
            mint.FirstBlockTime = blockTime;
        }
        if (mint.EventCount == 0 || position > mint.LatestPosition)
        {
            mint.LatestPosition = position;
            mint.LatestBlockTime = blockTime;
        }
        mint.EventCount++;
        if (ev.LatestPrice is { } price && (mint.LatestPrice is null || position > mint.LatestPricePosition))
        {
            mint.LatestPrice = price;
            mint.LatestPricePosition = position;
            mint.LatestTradeTime = blockTime;
        }
        switch (ev)
        {
            case BuySellEvent trade:
                mint.TotalSolAmount += trade.SolAmount;
                break;
            case LongShortEvent open:
                mint.TotalMarginSolAmount += open.Order.MarginSolAmount;
                break;
            case FullCloseEvent close:
                mint.TotalCloseProfit += close.UserCloseProfit;
                break;
            case PartialCloseEvent close:
                mint.TotalCloseProfit += close.UserCloseProfit;
                break;
            case ForceLiquidateEvent:
                mint.TotalForceLiquidations++;
                break;
            case TokenCreatedEvent created:
                mint.CreatedPosition ??= position;
                SetFees(mint, position, created.SwapFee, created.BorrowFee, created.FeeDiscountFlag);
                break;
            case MilestoneDiscountEvent discount:
                SetFees(mint, position, discount.SwapFee, discount.BorrowFee, discount.FeeDiscountFlag);
                break;
        }
    }

    /// <summary>
    /// One open order of the mint more (<paramref name="delta"/> = +1) or less (−1), by its type: the mint's
    /// <c>open_long_orders</c> / <c>open_short_orders</c>.
    /// </summary>
    public static void CountOrder(MintDetails mint, OpenOrder order, int delta)
    {
        ArgumentNullException.ThrowIfNull(mint);
        ArgumentNullException.ThrowIfNull(order);
        if (order.State.OrderType == OrderState.Short)
        {
            mint.OpenShortOrders = (uint)(mint.OpenShortOrders + delta);
        }
        else
        {
            mint.OpenLongOrders = (uint)(mint.OpenLongOrders + delta);
        }
    }

    private static void SetFees(MintDetails mint, ChainPosition position, ushort swapFee, ushort borrowFee, byte discountFlag)
    {
        if (mint.FeesPosition is { } known && position < known)
        {
            return;
        }
        mint.FeesPosition = position;
        mint.SwapFee = swapFee;
        mint.BorrowFee = borrowFee;
        mint.FeeDiscountFlag = discountFlag;
    }
}
