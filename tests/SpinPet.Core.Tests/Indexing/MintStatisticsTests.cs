using SpinPet.Core.Events;
using SpinPet.Core.Indexing;
using static SpinPet.Core.Tests.Indexing.FoldEvents;

namespace SpinPet.Core.Tests.Indexing;

public sealed class MintStatisticsTests
{
    private const int Mint = 1;

    [Fact]
    public void Totals_add_up_per_kind_and_every_event_counts()
    {
        var mint = new MintDetails(Key(Mint));
        var state = State(Mint, 10, OrderState.Long, 1000, margin: 40);
        MintStatistics.Observe(mint, Trade(Mint, 10, sol: 7, price: 5), At(10), 100);
        MintStatistics.Observe(mint, Trade(Mint, 11, sol: 8, price: 6), At(11), 101);
        MintStatistics.Observe(mint, Open(Mint, 20, state, 7), At(12), 102);
        MintStatistics.Observe(mint, Partial(Mint, 20, state, profit: 3, price: 8), At(13), 103);
        MintStatistics.Observe(mint, Full(Mint, 10, 20, profit: 4, price: 9), At(14), 104);
        MintStatistics.Observe(mint, Liquidate(Mint, 21), At(15), 105);
        MintStatistics.Observe(mint, Liquidate(Mint, 22), At(16), 106);

        Assert.Equal(15, (int)mint.TotalSolAmount);
        Assert.Equal(40, (int)mint.TotalMarginSolAmount);
        Assert.Equal(7, (int)mint.TotalCloseProfit);
        Assert.Equal(2UL, mint.TotalForceLiquidations);
        Assert.Equal(7UL, mint.EventCount);
        Assert.Equal((UInt128)9, mint.LatestPrice);
        Assert.Equal(At(14), mint.LatestPricePosition);
        Assert.Equal(104, mint.LatestTradeTime);
        Assert.Equal(At(10), mint.FirstPosition);
        Assert.Equal(At(16), mint.LatestPosition);
        Assert.Equal(106, mint.LatestBlockTime);
    }

    [Fact]
    public void Sums_are_exact_beyond_64_bits()
    {
        var mint = new MintDetails(Key(Mint));
        for (int i = 0; i < 3; i++)
        {
            MintStatistics.Observe(mint, Trade(Mint, 10, sol: ulong.MaxValue, price: 1), At((ulong)i), i);
        }
        Assert.Equal((UInt128)ulong.MaxValue * 3, mint.TotalSolAmount);
    }

    [Fact]
    public void A_late_event_of_an_older_slot_moves_first_but_not_latest_price_or_fees()
    {
        var mint = new MintDetails(Key(Mint));
        MintStatistics.Observe(mint, Created(Mint, swapFee: 100), At(20), 200);
        MintStatistics.Observe(mint, Trade(Mint, 10, sol: 1, price: 50), At(30), 300);

        // Arrives later, happened earlier: a trade and a milestone discount of slot 10.
        MintStatistics.Observe(mint, Trade(Mint, 10, sol: 2, price: 40), At(10), 100);
        MintStatistics.Observe(mint, Milestone(Mint, swapFee: 10, borrowFee: 20, flag: 1), At(11), 110);

        Assert.Equal(At(10), mint.FirstPosition);
        Assert.Equal(100, mint.FirstBlockTime);
        Assert.Equal(At(30), mint.LatestPosition);
        Assert.Equal((UInt128)50, mint.LatestPrice);
        Assert.Equal(300, mint.LatestTradeTime);
        Assert.Equal((ushort)100, mint.SwapFee);
        Assert.Equal(At(20), mint.FeesPosition);
        // Totals do not depend on order.
        Assert.Equal(3, (int)mint.TotalSolAmount);
        Assert.Equal(4UL, mint.EventCount);
    }

    [Fact]
    public void Creation_sets_the_fees_once_and_a_later_discount_lowers_them()
    {
        var mint = new MintDetails(Key(Mint));
        MintStatistics.Observe(mint, Created(Mint, swapFee: 100, borrowFee: 300), At(5), 50);
        MintStatistics.Observe(mint, Milestone(Mint, swapFee: 60, borrowFee: 200, flag: 2), At(9), 90);
        MintStatistics.Observe(mint, Created(Mint, swapFee: 999), At(12), 120);

        Assert.Equal(At(5), mint.CreatedPosition);
        Assert.Equal((ushort)999, mint.SwapFee);
        Assert.Equal(At(12), mint.FeesPosition);

        var discounted = new MintDetails(Key(Mint));
        MintStatistics.Observe(discounted, Created(Mint, swapFee: 100, borrowFee: 300), At(5), 50);
        MintStatistics.Observe(discounted, Milestone(Mint, swapFee: 60, borrowFee: 200, flag: 2), At(9), 90);
        Assert.Equal((ushort)60, discounted.SwapFee);
        Assert.Equal((ushort)200, discounted.BorrowFee);
        Assert.Equal((byte)2, discounted.FeeDiscountFlag);
    }

    [Fact]
    public void Events_without_a_price_leave_the_price_unset()
    {
        var mint = new MintDetails(Key(Mint));
        MintStatistics.Observe(mint, Created(Mint), At(1), 10);
        MintStatistics.Observe(mint, Liquidate(Mint, 3), At(2), 20);

        Assert.Null(mint.LatestPrice);
        Assert.Equal(0, mint.LatestTradeTime);
    }

    [Fact]
    public void Open_orders_are_counted_by_type()
    {
        var mint = new MintDetails(Key(Mint));
        var longOrder = new OpenOrder(Key(20), Key(Mint), State(Mint, 10, OrderState.Long, 1, 1), At(1), 1, Signature(1), At(1), 1, Signature(1));
        var shortOrder = longOrder with { State = State(Mint, 10, OrderState.Short, 1, 1) };

        MintStatistics.CountOrder(mint, longOrder, +1);
        MintStatistics.CountOrder(mint, shortOrder, +1);
        MintStatistics.CountOrder(mint, shortOrder, +1);
        MintStatistics.CountOrder(mint, shortOrder, -1);

        Assert.Equal(1U, mint.OpenLongOrders);
        Assert.Equal(1U, mint.OpenShortOrders);
    }

    [Fact]
    public void A_clone_is_folded_without_changing_the_original()
    {
        var original = new MintDetails(Key(Mint));
        MintStatistics.Observe(original, Trade(Mint, 10, sol: 1, price: 5), At(1), 10);

        var copy = original.Clone();
        MintStatistics.Observe(copy, Trade(Mint, 10, sol: 2, price: 6), At(2), 20);

        Assert.Equal(1UL, original.EventCount);
        Assert.Equal((UInt128)5, original.LatestPrice);
        Assert.Equal(2UL, copy.EventCount);
    }
}
