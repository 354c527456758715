using System.IO.Compression;

namespace SpinPet.TestSupport;

/// <summary>What a permessage-deflate client does with a compressed message (RFC 7692 section 7.2.2).</summary>
internal static class ClientInflater
{
    /// <summary>Appends the four bytes the sender removed and inflates the payload with a fresh inflater.</summary>
    public static byte[] Inflate(byte[] payload)
    {
        using var input = new MemoryStream([.. payload, 0x00, 0x00, 0xFF, 0xFF]);
        using var inflate = new DeflateStream(input, CompressionMode.Decompress);
        using var output = new MemoryStream();
        inflate.CopyTo(output);
        return output.ToArray();
    }
}
