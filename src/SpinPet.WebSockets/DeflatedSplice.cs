namespace SpinPet.WebSockets;

/// <summary>
/// A message many connections send alike but for one piece of their own between two shared parts
/// (<c>prefix ‖ piece ‖ suffix</c>), compressed once for every connection that negotiated permessage-deflate: each
/// shared part is compressed on its own (<see cref="PerMessageDeflate.Compress"/>) and a connection sends
/// <see cref="Prefix"/> ‖ <see cref="PerMessageDeflate.StoredBlock"/>(its piece) ‖ <see cref="Suffix"/>, so nothing is
/// compressed per connection.
/// </summary>
public sealed class DeflatedSplice
{
    // LEN and NLEN of the piece's stored block: what compression adds per connection.
    private const int PieceOverheadBytes = 4;

    // An empty prefix compresses to the header byte of the piece's stored block (BFINAL 0, BTYPE 00, padding), which
    // is what a deflater's sync flush of nothing begins with; DeflateStream writes nothing at all for no input.
    private static readonly byte[] EmptyPrefix = [0x00];

    private DeflatedSplice(byte[] prefix, byte[] suffix, bool isSmaller)
    {
        Prefix = prefix;
        Suffix = suffix;
        IsSmaller = isSmaller;
    }

    public byte[] Prefix { get; }

    public byte[] Suffix { get; }

    /// <summary>
    /// Whether the compressed message is smaller than the plain one; when it is not, send it plain (RFC 7692 allows
    /// that per message) — the parts are then empty.
    /// </summary>
    public bool IsSmaller { get; }

    /// <summary>Compresses the shared parts of a message; either may be empty (the piece starts or ends it).</summary>
    public static DeflatedSplice Create(ReadOnlySpan<byte> prefix, ReadOnlySpan<byte> suffix)
    {
        byte[] compressedPrefix = prefix.IsEmpty ? EmptyPrefix : PerMessageDeflate.Compress(prefix);
        // After the piece's stored block (not final) the message may simply end: the receiver appends the sync tail.
        byte[] compressedSuffix = suffix.IsEmpty ? [] : PerMessageDeflate.Compress(suffix);
        return compressedPrefix.Length + compressedSuffix.Length + PieceOverheadBytes < prefix.Length + suffix.Length
            ? new DeflatedSplice(compressedPrefix, compressedSuffix, isSmaller: true)
            : new DeflatedSplice([], [], isSmaller: false);
    }
}
