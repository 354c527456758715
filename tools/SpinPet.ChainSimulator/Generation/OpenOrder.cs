using SpinPet.Core.Chain;
using SpinPet.Core.Events;

namespace SpinPet.ChainSimulator.Generation;

/// <summary>A margin order still open on a mint; <see cref="State"/> changes with each partial close.</summary>
internal sealed class OpenOrder(PublicKey pda, OrderState state)
{
    public PublicKey Pda { get; } = pda;

    public OrderState State { get; set; } = state;

    public bool IsLong => State.OrderType == OrderState.Long;
}
