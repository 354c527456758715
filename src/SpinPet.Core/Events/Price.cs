using System.Globalization;

namespace SpinPet.Core.Events;

/// <summary>
/// Converts the program's fixed-point <c>latest_price</c> (SOL per whole token × 10^exponent) to the published
/// double: one rounding UInt128 → double, one IEEE division, no decimal rounding (events.md → Price).
/// </summary>
public readonly record struct PriceScale
{
    public const int DefaultExponent = 28;

    public PriceScale(int exponent)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(exponent);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(exponent, 38);
        Exponent = exponent;
        // Parsing "1e28" gives the double nearest 10^28, exactly what the literal 1e28 is; Math.Pow need not be.
        Divisor = double.Parse($"1e{exponent}", CultureInfo.InvariantCulture);
    }

    public int Exponent { get; }

    public double Divisor { get; }

    public static PriceScale Default { get; } = new(DefaultExponent);

    public double ToSol(UInt128 raw) => (double)raw / Divisor;
}
