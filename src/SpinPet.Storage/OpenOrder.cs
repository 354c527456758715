using SpinPet.Core.Chain;
using SpinPet.Core.Events;

namespace SpinPet.Storage;

/// <summary>
/// An open margin order: opened by a LongShortEvent, updated by PartialCloseEvents (the event carries the state
/// after the close), removed by a FullCloseEvent or ForceLiquidateEvent.
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
