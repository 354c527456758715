using SpinPet.Core.Chain;
using SpinPet.Core.Events;

namespace SpinPet.Core.Indexing;

/// <summary>
/// The fold of margin events into the open orders (docs/storage.md, "What belongs where"): a LongShortEvent opens the
/// order, a PartialCloseEvent replaces its state (the event carries the state after the close, so an order opened
/// before the indexed history is known from its first partial close on), a FullCloseEvent or ForceLiquidateEvent
/// removes it. Pure: the caller keeps the states (the indexer, one per touched order and batch).
/// </summary>
public static class OpenOrders
{
    /// <summary>The order PDA a margin event concerns, or null for any other event.</summary>
    public static PublicKey? OrderOf(SpinPetEvent ev) => ev switch
    {
        LongShortEvent open => open.OrderPda,
        PartialCloseEvent partial => partial.OrderPda,
        FullCloseEvent full => full.OrderPda,
        ForceLiquidateEvent liquidation => liquidation.OrderPda,
        _ => null,
    };

    /// <summary>
    /// The order's state after <paramref name="ev"/> (null: closed), given its state before (<paramref name="current"/>,
    /// null when unknown). An open or partial close older in chain order than the state already held is ignored (a
    /// transaction arrived late): the later state stays. A close removes the order whatever its position.
    /// </summary>
    public static OpenOrder? Apply(OpenOrder? current, SpinPetEvent ev, ChainPosition position, long blockTime, TxSignature signature)
    {
        ArgumentNullException.ThrowIfNull(ev);
        switch (ev)
        {
            case LongShortEvent open:
                if (current is not null && current.UpdatedPosition > position)
                {
                    return current;
                }
                return new OpenOrder(open.OrderPda, open.MintAccount, open.Order, position, blockTime, signature, position, blockTime, signature);
            case PartialCloseEvent partial:
                if (current is not null && current.UpdatedPosition > position)
                {
                    return current;
                }
                return current is null
                    ? new OpenOrder(partial.OrderPda, partial.MintAccount, partial.Order, position, blockTime, signature, position, blockTime, signature)
                    : current with { State = partial.Order, UpdatedPosition = position, UpdatedBlockTime = blockTime, UpdatedSignature = signature };
            case FullCloseEvent or ForceLiquidateEvent:
                return null;
            default:
                return current;
        }
    }

    /// <summary>
    /// Whose event this is for <c>/api/user_event</c>: a position's events belong to its owner (<c>user</c>,
    /// <c>user_sol_account</c>, or for a liquidation the owner of the order as it stood, <paramref name="orderBefore"/>),
    /// not to whoever paid for the transaction; spot trades and milestone discounts belong to the payer. A token's
    /// creation is not a user event. Null when there is no owner (a liquidation of an order opened before the indexed
    /// history).
    /// </summary>
    public static PublicKey? Owner(SpinPetEvent ev, OpenOrder? orderBefore)
    {
        ArgumentNullException.ThrowIfNull(ev);
        return ev switch
        {
            BuySellEvent or MilestoneDiscountEvent => ev.Payer,
            LongShortEvent open => open.Order.User,
            PartialCloseEvent partial => partial.Order.User,
            FullCloseEvent full => full.UserSolAccount,
            ForceLiquidateEvent => orderBefore?.State.User,
            _ => null,
        };
    }
}
