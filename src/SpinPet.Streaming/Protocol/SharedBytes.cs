using SpinPet.WebSockets;

namespace SpinPet.Streaming.Protocol;

/// <summary>
/// The part of a reply that many connections send alike (<c>connection_success</c>'s symbol and interval lists),
/// serialized once and, for permessage-deflate connections, compressed once: each connection queues only its own
/// short head in front of it (<see cref="Sessions.OutboundFrame.Reply(byte[], SharedBytes)"/>).
/// </summary>
public sealed class SharedBytes(byte[] plain)
{
    // Marks "compressing does not make the message smaller": computed once like the compressed bytes.
    private static readonly byte[] NotSmaller = [];

    private byte[]? _deflated;

    public byte[] Plain { get; } = plain;

    /// <summary>
    /// <see cref="Plain"/> compressed on its own (<see cref="PerMessageDeflate.Compress"/>), to follow a head sent as a
    /// stored block (<see cref="PerMessageDeflate.Stored"/>); null when that would not be smaller than plain.
    /// </summary>
    internal byte[]? Deflated
    {
        get
        {
            var deflated = Volatile.Read(ref _deflated);
            if (deflated is null)
            {
                var made = PerMessageDeflate.Compress(Plain);
                // The head's stored block adds 5 bytes (header, LEN, NLEN) to the compressed message.
                made = made.Length + 5 < Plain.Length ? made : NotSmaller;
                deflated = Interlocked.CompareExchange(ref _deflated, made, null) ?? made;
            }
            return ReferenceEquals(deflated, NotSmaller) ? null : deflated;
        }
    }
}
