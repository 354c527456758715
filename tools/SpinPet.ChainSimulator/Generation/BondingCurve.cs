using System.Numerics;

namespace SpinPet.ChainSimulator.Generation;

/// <summary>
/// A constant-product curve over virtual reserves (lamports × token base units), as pump-style launchpads use.
/// Integer math rounds in the pool's favour, so the product never shrinks and reserves never reach zero.
/// </summary>
internal sealed class BondingCurve
{
    /// <summary>30 SOL in lamports.</summary>
    public const ulong InitialVirtualSol = 30_000_000_000;

    /// <summary>1,073,000,000 tokens of 6 decimals.</summary>
    public const ulong InitialVirtualToken = 1_073_000_000_000_000;

    private readonly BigInteger _priceScale;

    public BondingCurve(int priceScaleExponent)
    {
        // price = (sol / 10^9) / (token / 10^6) · 10^exp = sol · 10^(exp-3) / token.
        _priceScale = BigInteger.Pow(10, priceScaleExponent - 3);
        SolReserve = InitialVirtualSol;
        TokenReserve = InitialVirtualToken;
    }

    public ulong SolReserve { get; private set; }

    public ulong TokenReserve { get; private set; }

    public UInt128 Price => PriceAt(SolReserve, TokenReserve);

    private UInt128 Product => (UInt128)SolReserve * TokenReserve;

    public UInt128 PriceAt(ulong sol, ulong token)
    {
        BigInteger raw = sol * _priceScale / token;
        return raw > (BigInteger)UInt128.MaxValue ? UInt128.MaxValue : (UInt128)raw;
    }

    public ulong TokensOutForSol(ulong solIn) => TokenReserve - CeilDiv(Product, SolReserve + solIn);

    public ulong SolOutForTokens(ulong tokensIn) => SolReserve - CeilDiv(Product, TokenReserve + tokensIn);

    /// <summary>SOL needed to take exactly <paramref name="tokensOut"/> out of the pool (closing a short).</summary>
    public ulong SolInForTokens(ulong tokensOut)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(tokensOut, TokenReserve);
        return CeilDiv(Product, TokenReserve - tokensOut) - SolReserve;
    }

    /// <summary>Tokens to sell for about <paramref name="solOut"/> lamports (sizing a sell or a short).</summary>
    public ulong TokensInForSol(ulong solOut)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(solOut, SolReserve);
        return CeilDiv(Product, SolReserve - solOut) - TokenReserve;
    }

    public void ApplyBuy(ulong solIn, ulong tokensOut)
    {
        SolReserve += solIn;
        TokenReserve -= tokensOut;
    }

    public void ApplySell(ulong tokensIn, ulong solOut)
    {
        TokenReserve += tokensIn;
        SolReserve -= solOut;
    }

    private static ulong CeilDiv(UInt128 numerator, ulong denominator) =>
        (ulong)((numerator + denominator - 1) / denominator);
}
