using SimpleBase;
using SpinPet.Core.Chain;

namespace SpinPet.ChainSimulator.Generation;

/// <summary>
/// The one seeded random source of the chain. Every choice that shapes the ledger draws from it in a fixed order,
/// so one seed always yields the same ledger; fault injection uses a separate source.
/// </summary>
internal sealed class Entropy
{
    private readonly Random _random;

    public Entropy(int seed) => _random = new Random(seed);

    public bool Chance(double probability) => probability > 0 && _random.NextDouble() < probability;

    public int Next(int maxExclusive) => _random.Next(maxExclusive);

    public int Next(int minInclusive, int maxExclusive) => _random.Next(minInclusive, maxExclusive);

    public double NextDouble() => _random.NextDouble();

    public T Pick<T>(IReadOnlyList<T> items) => items[_random.Next(items.Count)];

    public void Fill(Span<byte> bytes) => _random.NextBytes(bytes);

    public PublicKey NewKey()
    {
        Span<byte> bytes = stackalloc byte[PublicKey.Length];
        _random.NextBytes(bytes);
        return new PublicKey(bytes);
    }

    public string NewSignature()
    {
        Span<byte> bytes = stackalloc byte[TxSignature.Length];
        _random.NextBytes(bytes);
        return Base58.Bitcoin.Encode(bytes);
    }

    /// <summary>Trade sizes spread over orders of magnitude, as real order flow does: uniform in log space.</summary>
    public ulong LogUniform(ulong min, ulong max)
    {
        double low = Math.Log(min);
        double high = Math.Log(max);
        double value = Math.Exp(low + (_random.NextDouble() * (high - low)));
        return Math.Clamp((ulong)value, min, max);
    }

    /// <summary>Transactions per block: Poisson (Knuth's method; the means used here are small).</summary>
    public int Poisson(double mean)
    {
        if (mean <= 0)
        {
            return 0;
        }
        if (mean > 30)
        {
            // Normal approximation keeps large means cheap; exactness does not matter for load.
            double u1 = 1.0 - _random.NextDouble();
            double u2 = _random.NextDouble();
            double normal = Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
            return Math.Max(0, (int)Math.Round(mean + (Math.Sqrt(mean) * normal)));
        }
        double limit = Math.Exp(-mean);
        int count = 0;
        double product = _random.NextDouble();
        while (product > limit)
        {
            count++;
            product *= _random.NextDouble();
        }
        return count;
    }
}
