using SpinPet.Core.Chain;

namespace SpinPet.ChainSimulator.Generation;

/// <summary>One launched token: its accounts, curve, fee tier and open margin orders.</summary>
internal sealed class MintState
{
    public required PublicKey Mint { get; init; }

    public required PublicKey CurveAccount { get; init; }

    public required PublicKey PoolTokenAccount { get; init; }

    public required PublicKey PoolSolAccount { get; init; }

    public required BondingCurve Curve { get; init; }

    public required ushort SwapFee { get; set; }

    public required ushort BorrowFee { get; set; }

    /// <summary>How many milestone discounts the curve has reached (the event's <c>fee_discount_flag</c>).</summary>
    public byte DiscountLevel { get; set; }

    public List<OpenOrder> Orders { get; } = [];
}
