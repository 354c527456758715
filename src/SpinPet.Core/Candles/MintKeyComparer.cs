using SpinPet.Core.Chain;

namespace SpinPet.Core.Candles;

/// <summary>
/// Hashes all 32 bytes of a mint with the process's random <see cref="HashCode"/> seed. PublicKey's own hash is
/// its first 4 bytes, and anyone can grind mint addresses whose first bytes collide in a dictionary's buckets;
/// a seeded hash of the whole key makes those collisions unpredictable, for about 10 ns per lookup.
/// </summary>
internal sealed class MintKeyComparer : IEqualityComparer<PublicKey>
{
    public static MintKeyComparer Instance { get; } = new();

    public bool Equals(PublicKey x, PublicKey y) => x.AsSpan().SequenceEqual(y.AsSpan());

    public int GetHashCode(PublicKey obj)
    {
        var hash = new HashCode();
        hash.AddBytes(obj.AsSpan());
        return hash.ToHashCode();
    }
}
