using SpinPet.Core.Chain;

namespace SpinPet.Core.Events;

public sealed record TokenCreatedEvent : SpinPetEvent
{
    public override EventKind Kind => EventKind.TokenCreated;

    public required PublicKey CurveAccount { get; init; }

    public required PublicKey PoolTokenAccount { get; init; }

    public required PublicKey PoolSolAccount { get; init; }

    public required PublicKey FeeRecipient { get; init; }

    public required PublicKey BaseFeeRecipient { get; init; }

    public required PublicKey ParamsAccount { get; init; }

    public required ushort SwapFee { get; init; }

    public required ushort BorrowFee { get; init; }

    public required byte FeeDiscountFlag { get; init; }

    public required string Name { get; init; }

    public required string Symbol { get; init; }

    public required string Uri { get; init; }
}
