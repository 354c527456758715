using SpinPet.Core.Chain;
using SpinPet.Core.Events;

namespace SpinPet.Core.Indexing;

/// <summary>
/// An open margin order: opened by a LongShortEvent, updated by PartialCloseEvents (the event carries the state
/// after the close), removed by a FullCloseEvent or ForceLiquidateEvent (<see cref="OpenOrders"/> folds them).
/// </summary>
public sealed record OpenOrder(
    PublicKey OrderPda,
    PublicKey MintAccount,
    OrderState State,
    ChainPosition OpenedPosition,
    long OpenedBlockTime,
    TxSignature OpenedSignature,
    ChainPosition UpdatedPosition,
    long UpdatedBlockTime,
    TxSignature UpdatedSignature);
