using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace SpinPet.WebSockets;

/// <summary>XOR masking of client payloads (RFC 6455 section 5.3), 16 then 8 bytes at a time.</summary>
internal static class WebSocketMask
{
    /// <summary>
    /// Unmasks a whole frame payload in place. <paramref name="maskKey"/> holds the 4 key bytes in memory order
    /// (as read by <see cref="MemoryMarshal.Read{T}(ReadOnlySpan{byte})"/>), and the payload starts at key offset 0.
    /// </summary>
    public static void Apply(Span<byte> payload, int maskKey)
    {
        // Both halves are the same 4 key bytes, so the 8-byte pattern is right in either byte order.
        ulong mask8 = (uint)maskKey | ((ulong)(uint)maskKey << 32);
        int i = 0;
        if (Vector128.IsHardwareAccelerated && payload.Length >= Vector128<byte>.Count)
        {
            Vector128<byte> mask16 = Vector128.Create(mask8).AsByte();
            for (; i <= payload.Length - Vector128<byte>.Count; i += Vector128<byte>.Count)
            {
                Span<byte> block = payload.Slice(i, Vector128<byte>.Count);
                (Vector128.Create<byte>(block) ^ mask16).CopyTo(block);
            }
        }

        for (; i <= payload.Length - sizeof(ulong); i += sizeof(ulong))
        {
            Span<byte> block = payload.Slice(i, sizeof(ulong));
            ulong masked = MemoryMarshal.Read<ulong>(block) ^ mask8;
            MemoryMarshal.Write(block, in masked);
        }

        // i is a multiple of 8 here, so key offset i & 3 lines up with the frame's first byte.
        Span<byte> key = stackalloc byte[sizeof(int)];
        MemoryMarshal.Write(key, in maskKey);
        for (; i < payload.Length; i++)
        {
            payload[i] ^= key[i & 3];
        }
    }
}
