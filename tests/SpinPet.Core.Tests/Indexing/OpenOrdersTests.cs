using SpinPet.Core.Events;
using SpinPet.Core.Indexing;
using static SpinPet.Core.Tests.Indexing.FoldEvents;

namespace SpinPet.Core.Tests.Indexing;

public sealed class OpenOrdersTests
{
    private const int Mint = 1;
    private const int Alice = 10;
    private const int Pda = 20;

    [Fact]
    public void A_long_short_opens_the_order_with_where_and_when()
    {
        var state = State(Mint, Alice, OrderState.Long, 1000, margin: 40);

        var order = OpenOrders.Apply(null, Open(Mint, Pda, state, 7), At(10, 1, 2), 100, Signature(1));

        Assert.NotNull(order);
        Assert.Equal(Key(Pda), order.OrderPda);
        Assert.Equal(Key(Mint), order.MintAccount);
        Assert.Equal(state, order.State);
        Assert.Equal(At(10, 1, 2), order.OpenedPosition);
        Assert.Equal(At(10, 1, 2), order.UpdatedPosition);
        Assert.Equal(Signature(1), order.OpenedSignature);
        Assert.Equal(100, order.UpdatedBlockTime);
    }

    [Fact]
    public void A_partial_close_replaces_the_state_and_keeps_the_opening()
    {
        var state = State(Mint, Alice, OrderState.Long, 1000, margin: 40);
        var opened = OpenOrders.Apply(null, Open(Mint, Pda, state, 7), At(10), 100, Signature(1));
        var after = state with { MarginSolAmount = 10, LockLpStartPrice = 900 };

        var updated = OpenOrders.Apply(opened, Partial(Mint, Pda, after, profit: 1, price: 8), At(11), 110, Signature(2));

        Assert.NotNull(updated);
        Assert.Equal(after, updated.State);
        Assert.Equal(At(10), updated.OpenedPosition);
        Assert.Equal(Signature(1), updated.OpenedSignature);
        Assert.Equal(At(11), updated.UpdatedPosition);
        Assert.Equal(Signature(2), updated.UpdatedSignature);
    }

    [Fact]
    public void A_partial_close_of_an_unknown_order_creates_it_from_the_state_it_carries()
    {
        var after = State(Mint, Alice, OrderState.Short, 500, margin: 9);

        var order = OpenOrders.Apply(null, Partial(Mint, Pda, after, profit: 1, price: 8), At(11), 110, Signature(2));

        Assert.NotNull(order);
        Assert.Equal(after, order.State);
        Assert.Equal(At(11), order.OpenedPosition);
    }

    [Fact]
    public void Updates_older_than_the_state_held_are_ignored()
    {
        var state = State(Mint, Alice, OrderState.Long, 1000, margin: 40);
        var later = OpenOrders.Apply(null, Partial(Mint, Pda, state with { MarginSolAmount = 1 }, 1, 8), At(20), 200, Signature(2));

        Assert.Same(later, OpenOrders.Apply(later, Open(Mint, Pda, state, 7), At(10), 100, Signature(1)));
        Assert.Same(later, OpenOrders.Apply(later, Partial(Mint, Pda, state, 1, 8), At(15), 150, Signature(3)));
    }

    [Fact]
    public void Full_closes_and_liquidations_remove_the_order_known_or_not()
    {
        var state = State(Mint, Alice, OrderState.Long, 1000, margin: 40);
        var opened = OpenOrders.Apply(null, Open(Mint, Pda, state, 7), At(10), 100, Signature(1));

        Assert.Null(OpenOrders.Apply(opened, Full(Mint, Alice, Pda, 1, 8), At(11), 110, Signature(2)));
        Assert.Null(OpenOrders.Apply(opened, Liquidate(Mint, Pda), At(11), 110, Signature(2)));
        Assert.Null(OpenOrders.Apply(null, Liquidate(Mint, Pda), At(11), 110, Signature(2)));
    }

    [Fact]
    public void Events_that_are_not_margin_events_concern_no_order_and_change_none()
    {
        var opened = OpenOrders.Apply(null, Open(Mint, Pda, State(Mint, Alice, OrderState.Long, 1, 1), 7), At(10), 100, Signature(1));

        Assert.Null(OpenOrders.OrderOf(Trade(Mint, Alice, 1, 1)));
        Assert.Null(OpenOrders.OrderOf(Created(Mint)));
        Assert.Equal(Key(Pda), OpenOrders.OrderOf(Liquidate(Mint, Pda)));
        Assert.Same(opened, OpenOrders.Apply(opened, Trade(Mint, Alice, 1, 1), At(11), 110, Signature(2)));
    }

    [Fact]
    public void Events_belong_to_the_position_owner_and_spot_trades_and_discounts_to_the_payer()
    {
        var state = State(Mint, Alice, OrderState.Long, 1000, margin: 40);
        var opened = OpenOrders.Apply(null, Open(Mint, Pda, state, 7), At(10), 100, Signature(1));

        Assert.Equal(Key(Alice), OpenOrders.Owner(Open(Mint, Pda, state, 7), null));
        Assert.Equal(Key(Alice), OpenOrders.Owner(Partial(Mint, Pda, state, 1, 8), opened));
        Assert.Equal(Key(33), OpenOrders.Owner(Full(Mint, 33, Pda, 1, 8), opened));
        Assert.Equal(Key(Alice), OpenOrders.Owner(Liquidate(Mint, Pda), opened));
        Assert.Null(OpenOrders.Owner(Liquidate(Mint, Pda), null));
        Assert.Equal(Key(40), OpenOrders.Owner(Trade(Mint, 40, 1, 1), null));
        Assert.Equal(Key(64), OpenOrders.Owner(Milestone(Mint, 1, 1, 0), null));
        Assert.Null(OpenOrders.Owner(Created(Mint), null));
    }
}
