using System.Buffers.Binary;
using System.IO.Compression;

namespace SpinPet.WebSockets;

/// <summary>
/// The payload transform of RFC 7692 permessage-deflate with <c>server_no_context_takeover</c> and
/// <c>client_no_context_takeover</c>: every message is compressed and decompressed on its own, so no deflate state
/// outlives a message and a compressed payload can be shared by every connection that negotiated the extension.
/// </summary>
/// <remarks>
/// A compressed payload is raw DEFLATE ended by a sync flush with its last four bytes (<c>00 00 FF FF</c>, the
/// LEN/NLEN of an empty stored block) removed (section 7.2.1). What remains ends with the header bits of a stored
/// block; <see cref="StoredBlock"/> fills exactly that gap, which is how a shared compressed message carries a
/// per-connection piece (a subscription id, say) without compressing anything per connection:
/// <c>Compress(prefix) ‖ StoredBlock(id) ‖ Compress(suffix)</c> is a valid payload because each part references only
/// its own bytes and each starts on a byte boundary.
/// </remarks>
public static class PerMessageDeflate
{
    /// <summary>The extension's token in <c>Sec-WebSocket-Extensions</c>.</summary>
    public const string ExtensionName = "permessage-deflate";

    // Section 7.2.2: the receiver appends these four bytes before inflating.
    private static ReadOnlySpan<byte> SyncFlushTail => [0x00, 0x00, 0xFF, 0xFF];

    // Kline frames and replies are a few hundred bytes of JSON: zlib level 6 costs about as much as level 1 on
    // inputs this small (set-up dominates) and compresses a little better.
    private static readonly ZLibCompressionOptions Options = new() { CompressionLevel = 6 };

    /// <summary>
    /// Compresses <paramref name="data"/> as one message payload (or one part of it, see the remarks of
    /// <see cref="PerMessageDeflate"/>) with a fresh deflater.
    /// </summary>
    public static byte[] Compress(ReadOnlySpan<byte> data)
    {
        var output = new MemoryStream(capacity: data.Length / 2 + 64);
        long flushed;
        using (var deflate = new DeflateStream(output, Options, leaveOpen: true))
        {
            deflate.Write(data);
            // Z_SYNC_FLUSH: everything so far, byte aligned, ended by an empty stored block. The final block that
            // Dispose writes after it is not part of the payload.
            deflate.Flush();
            flushed = output.Length;
        }
        ReadOnlySpan<byte> written = output.GetBuffer().AsSpan(0, (int)flushed);
        if (!written.EndsWith(SyncFlushTail))
        {
            throw new InvalidOperationException("The deflater's sync flush did not end with an empty stored block.");
        }
        return written[..^SyncFlushTail.Length].ToArray();
    }

    /// <summary>
    /// The bytes that, appended to a <see cref="Compress"/> output, store <paramref name="data"/> uncompressed:
    /// LEN ‖ NLEN ‖ data completes the open stored block, and data over 65,535 bytes continues in further stored
    /// blocks.
    /// </summary>
    public static byte[] StoredBlock(ReadOnlySpan<byte> data)
    {
        const int MaxStored = ushort.MaxValue;
        int chunks = Math.Max(1, (data.Length + MaxStored - 1) / MaxStored);
        // The first chunk's block header is already in the preceding part; each further one needs its own byte
        // (BFINAL 0, BTYPE 00, padding). The next part starts on a byte boundary with its own block header.
        var result = new byte[data.Length + (4 * chunks) + (chunks - 1)];
        Span<byte> destination = result;
        int offset = 0;
        for (int chunk = 0; chunk < chunks; chunk++)
        {
            if (chunk > 0)
            {
                destination[offset++] = 0x00;
            }
            int length = Math.Min(MaxStored, data.Length - (chunk * MaxStored));
            BinaryPrimitives.WriteUInt16LittleEndian(destination[offset..], (ushort)length);
            BinaryPrimitives.WriteUInt16LittleEndian(destination[(offset + 2)..], (ushort)~length);
            offset += 4;
            data.Slice(chunk * MaxStored, length).CopyTo(destination[offset..]);
            offset += length;
        }
        return result;
    }

    /// <summary>
    /// Inflates one received message (its payload with the tail already appended, see <see cref="AppendTail"/>)
    /// into a buffer from <paramref name="rent"/>. Returns false, having returned any buffer, as soon as the
    /// output would exceed <paramref name="maxBytes"/>: a small compressed message that inflates to gigabytes costs
    /// at most <paramref name="maxBytes"/> + 1 bytes and stops there. Throws <see cref="InvalidDataException"/> for
    /// data that is not DEFLATE.
    /// </summary>
    internal static bool TryInflate(ReadOnlyMemory<byte> compressedWithTail, int maxBytes, Func<int, byte[]> rent,
        Action<byte[]> giveBack, out byte[] output, out int length)
    {
        // Read one byte past the limit to tell "exactly the limit" from "over it"; start small and double.
        int limit = maxBytes + 1;
        output = rent(Math.Min(limit, Math.Max(1024, compressedWithTail.Length * 4)));
        length = 0;
        try
        {
            using var deflate = new DeflateStream(new ReadOnlyMemoryStream(compressedWithTail), CompressionMode.Decompress);
            while (true)
            {
                // The pool may hand out more than asked for; never read past the limit into the extra.
                int capacity = Math.Min(output.Length, limit);
                if (length == capacity)
                {
                    if (capacity == limit)
                    {
                        giveBack(output);
                        output = [];
                        length = 0;
                        return false;
                    }
                    byte[] grown = rent(Math.Min(limit, output.Length * 2));
                    output.AsSpan(0, length).CopyTo(grown);
                    giveBack(output);
                    output = grown;
                    continue;
                }
                int read = deflate.Read(output, length, capacity - length);
                if (read == 0)
                {
                    return true;
                }
                length += read;
            }
        }
        catch
        {
            giveBack(output);
            output = [];
            length = 0;
            throw;
        }
    }

    /// <summary>Writes the four bytes the sender removed (section 7.2.2) at <paramref name="destination"/>.</summary>
    internal static void AppendTail(Span<byte> destination) => SyncFlushTail.CopyTo(destination);

    internal const int TailLength = 4;

    /// <summary>A read-only stream over memory, so inflating needs no copy of the received payload.</summary>
    private sealed class ReadOnlyMemoryStream(ReadOnlyMemory<byte> data) : Stream
    {
        private int _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => data.Length;

        public override long Position
        {
            get => _position;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            int count = Math.Min(buffer.Length, data.Length - _position);
            data.Span.Slice(_position, count).CopyTo(buffer);
            _position += count;
            return count;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
