using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace SpinPet.Core.Chain;

/// <summary>A transaction signature: 64 raw bytes, shown as base58. It names the transaction.</summary>
public readonly struct TxSignature : IEquatable<TxSignature>
{
    public const int Length = 64;

    private readonly Bytes _bytes;

    public TxSignature(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Length)
        {
            throw new ArgumentException($"A signature is {Length} bytes, not {bytes.Length}.", nameof(bytes));
        }
        bytes.CopyTo(_bytes);
    }

    // UnscopedRef lets the compiler check every caller: a span over a temporary copy cannot outlive it.
    [UnscopedRef]
    public ReadOnlySpan<byte> AsSpan() => _bytes;

    public void CopyTo(Span<byte> destination) => AsSpan().CopyTo(destination);

    public static bool TryParse(ReadOnlySpan<char> text, out TxSignature signature)
    {
        signature = default;
        // 64 bytes are 64 to 88 base58 digits.
        if (text.Length is < 64 or > 88)
        {
            return false;
        }
        Span<byte> buffer = stackalloc byte[Length];
        if (!FixedBase58.TryDecode(text, buffer))
        {
            return false;
        }
        signature = new TxSignature(buffer);
        return true;
    }

    public static TxSignature Parse(string text) =>
        TryParse(text, out var signature) ? signature : throw new FormatException($"Not a transaction signature: '{text}'.");

    public override string ToString() => FixedBase58.Encode(AsSpan());

    public bool Equals(TxSignature other) => AsSpan().SequenceEqual(other.AsSpan());

    public override bool Equals(object? obj) => obj is TxSignature other && Equals(other);

    public override int GetHashCode() => MemoryMarshal.Read<int>(AsSpan());

    public static bool operator ==(TxSignature left, TxSignature right) => left.Equals(right);

    public static bool operator !=(TxSignature left, TxSignature right) => !left.Equals(right);

    [InlineArray(Length)]
    private struct Bytes
    {
        private byte _element;
    }
}
