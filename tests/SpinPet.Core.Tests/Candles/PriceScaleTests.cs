using System.Globalization;
using SpinPet.Core.Events;

namespace SpinPet.Core.Tests.Candles;

/// <summary>
/// The published price is <c>(double)latest_price / 10^exp</c>: one UInt128 → double rounding to nearest, one
/// IEEE division, nothing else (events.md → Price).
/// </summary>
public sealed class PriceScaleTests
{
    private static readonly UInt128 s_initialPrice = UInt128.Parse("279589934762348555452", CultureInfo.InvariantCulture);

    [Fact]
    public void Initial_program_price_at_exponent_28_is_2_7958993476234855E_08_exactly()
    {
        double price = PriceScale.Default.ToSol(s_initialPrice);

        Assert.True(price == 2.7958993476234855E-08);
        Assert.Equal("2.7958993476234855E-08", price.ToString("R", CultureInfo.InvariantCulture));
        // Here the two roundings happen to give the double nearest the exact quotient as well.
        Assert.True(price == double.Parse("2.79589934762348555452e-8", CultureInfo.InvariantCulture));
    }

    [Fact]
    public void One_raw_unit_at_exponent_28_is_one_over_the_double_1e28_which_is_one_ulp_above_1e_28()
    {
        double price = PriceScale.Default.ToSol(1);

        Assert.True(price == 1.0 / 1e28);
        // 1 / 1e28 rounds to the double after the one nearest 10^-28: the contract's formula, not a decimal parse.
        Assert.Equal("1.0000000000000001E-28", price.ToString("R", CultureInfo.InvariantCulture));
        Assert.True(price == Math.BitIncrement(1e-28));
    }

    [Fact]
    public void UInt128_max_at_exponent_28_is_finite_and_exact_to_the_formula()
    {
        double price = PriceScale.Default.ToSol(UInt128.MaxValue);

        Assert.True(price == (double)UInt128.MaxValue / 1e28);
        // UInt128.MaxValue = 2^128 − 1 rounds up to 2^128.
        Assert.True((double)UInt128.MaxValue == Math.ScaleB(1.0, 128));
        Assert.True(double.IsFinite(price));
        Assert.Equal("34028236692.09385", price.ToString("R", CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Initial_program_price_at_exponent_26_follows_the_formula_one_ulp_below_the_exact_quotient()
    {
        var scale = new PriceScale(26);
        double price = scale.ToSol(s_initialPrice);

        Assert.True(scale.Divisor == 1e26);
        Assert.True(price == (double)s_initialPrice / 1e26);
        Assert.Equal("2.7958993476234853E-06", price.ToString("R", CultureInfo.InvariantCulture));
        // The exact quotient 2.79589934762348555452e-6 rounds to the next double up; the contract fixes the
        // two-rounding formula, so this one-ulp difference is expected and must not be "corrected".
        double nearest = double.Parse("2.79589934762348555452e-6", CultureInfo.InvariantCulture);
        Assert.True(Math.BitIncrement(price) == nearest);
    }

    [Fact]
    public void Default_scale_is_exponent_28()
    {
        Assert.Equal(28, PriceScale.Default.Exponent);
        Assert.True(PriceScale.Default.Divisor == 1e28);
    }

    [Fact]
    public void Divisor_is_the_exact_power_of_ten_while_doubles_hold_it_exactly()
    {
        // 10^22 is the largest power of ten a double holds exactly (5^22 < 2^53 < 5^23).
        double exact = 1;
        for (int exponent = 0; exponent <= 22; exponent++)
        {
            Assert.True(new PriceScale(exponent).Divisor == exact, $"exponent {exponent}");
            exact *= 10;
        }
    }

    [Fact]
    public void UInt128_to_double_rounds_to_nearest_even_across_the_whole_range()
    {
        var rng = new Random(20251125);
        var values = new List<UInt128> { 0, 1, UInt128.MaxValue, s_initialPrice };
        for (int bits = 1; bits <= 128; bits++)
        {
            UInt128 power = UInt128.One << (bits - 1);
            values.Add(power);
            values.Add(power - 1);
            values.Add(power + 1);
            if (bits > 54)
            {
                // Exact ties between two doubles (round to even) and one above or below the tie.
                int dropped = bits - 53;
                UInt128 half = UInt128.One << (dropped - 1);
                foreach (UInt128 mantissa in new[] { power >> dropped, (power >> dropped) + 1, (UInt128.MaxValue >> (128 - bits)) >> dropped })
                {
                    UInt128 tie = (mantissa << dropped) | half;
                    values.Add(tie);
                    values.Add(tie + 1);
                    values.Add(tie - 1);
                }
            }
        }
        for (int i = 0; i < 400_000; i++)
        {
            UInt128 random = new(NextUInt64(rng), NextUInt64(rng));
            values.Add(random >> rng.Next(0, 128));
        }

        foreach (var value in values)
        {
            double expected = NearestDouble(value);
            if ((double)value != expected)
            {
                Assert.Fail($"{value}: {(double)value:R} != {expected:R}");
            }
        }
    }

    private static ulong NextUInt64(Random rng) => (ulong)rng.NextInt64() ^ ((ulong)rng.Next(2) << 63);

    // Independent reference: keep the top 53 bits, round the rest half-to-even with integer arithmetic, then scale
    // by a power of two (exact). BigInteger → double is no reference: it truncates (2^128 − 1 → 2^128 − 2^75).
    private static double NearestDouble(UInt128 value)
    {
        int bits = 128 - (int)UInt128.LeadingZeroCount(value);
        if (bits <= 53)
        {
            return (long)(ulong)value;
        }
        int dropped = bits - 53;
        UInt128 mantissa = value >> dropped;
        UInt128 rest = value - (mantissa << dropped);
        UInt128 half = UInt128.One << (dropped - 1);
        if (rest > half || (rest == half && (mantissa & 1) == 1))
        {
            mantissa++;
        }
        return Math.ScaleB((long)(ulong)mantissa, dropped);
    }
}
