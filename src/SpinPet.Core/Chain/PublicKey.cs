using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace SpinPet.Core.Chain;

/// <summary>A Solana account address: 32 raw bytes, shown as base58.</summary>
public readonly struct PublicKey : IEquatable<PublicKey>, IComparable<PublicKey>
{
    public const int Length = 32;

    private readonly Bytes _bytes;

    public PublicKey(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Length)
        {
            throw new ArgumentException($"A public key is {Length} bytes, not {bytes.Length}.", nameof(bytes));
        }
        bytes.CopyTo(_bytes);
    }

    // UnscopedRef lets the compiler check every caller: a span over a temporary copy cannot outlive it.
    [UnscopedRef]
    public ReadOnlySpan<byte> AsSpan() => _bytes;

    public void CopyTo(Span<byte> destination) => AsSpan().CopyTo(destination);

    /// <summary>Parses base58 that decodes to exactly 32 bytes; anything else is not an address.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out PublicKey key)
    {
        key = default;
        // 32 bytes are 32 to 44 base58 digits; checking the length first bounds the work on hostile input.
        if (text.Length is < 32 or > 44)
        {
            return false;
        }
        Span<byte> buffer = stackalloc byte[Length];
        if (!FixedBase58.TryDecode(text, buffer))
        {
            return false;
        }
        key = new PublicKey(buffer);
        return true;
    }

    public static PublicKey Parse(string text) =>
        TryParse(text, out var key) ? key : throw new FormatException($"Not a Solana address: '{text}'.");

    public override string ToString() => FixedBase58.Encode(AsSpan());

    public bool Equals(PublicKey other) => AsSpan().SequenceEqual(other.AsSpan());

    public override bool Equals(object? obj) => obj is PublicKey other && Equals(other);

    public override int GetHashCode() => MemoryMarshal.Read<int>(AsSpan());

    public int CompareTo(PublicKey other) => AsSpan().SequenceCompareTo(other.AsSpan());

    public static bool operator ==(PublicKey left, PublicKey right) => left.Equals(right);

    public static bool operator !=(PublicKey left, PublicKey right) => !left.Equals(right);

    [InlineArray(Length)]
    private struct Bytes
    {
        private byte _element;
    }
}
