using System.Runtime.CompilerServices;

namespace SpinPet.WebSockets;

/// <summary>
/// The received message's buffer. It grows with the bytes that arrived, never to the length a header announced
/// ahead of them: a client that announces a 64 KiB frame and sends 10 bytes of it holds 4 KiB, and one that sends
/// only the header holds nothing.
/// </summary>
public sealed partial class WebSocketConnection
{
    // A message's buffer starts at 4 KiB (or its exact size when its last frame is smaller) and doubles as it fills:
    // at most twice what arrived, and a large or fragmented message costs O(log n) copies.
    private const int FirstBufferBytes = 4 * 1024;

    // Discarded payload (the rest of a TooLarge message, or data while draining for a close) goes through a
    // buffer of at most this size, so an oversized message never costs more than this.
    private const int SkipChunkBytes = 4 * 1024;

    // Reader state: touched only by the owner of _receiving.
    private byte[]? _message;          // payload of the last message, owned until the next ReceiveAsync

    /// <summary>
    /// Reads a frame's <paramref name="length"/> payload bytes into <see cref="_message"/> at <paramref name="used"/>.
    /// Whenever the buffer is full (or missing) the reader first waits for bytes with a zero-byte read, then grows it
    /// (up to <paramref name="capacity"/>), so memory follows what the client sent, not what it promised.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask ReadPayloadAsync(int used, int length, int capacity, CancellationToken token)
    {
        int end = used + length;
        while (used < end)
        {
            if (_message is null || _message.Length == used)
            {
                await WaitForBytesAsync(token);
                ResizeMessage(used, Math.Min(capacity, Math.Max(Math.Max(FirstBufferBytes, used + 1), (_message?.Length ?? 0) * 2)));
            }
            int read = await _transport.ReadAsync(_message.AsMemory(used, Math.Min(end, _message!.Length) - used), token);
            if (read == 0)
            {
                throw new EndOfStreamException();
            }
            used += read;
        }
    }

    /// <summary>Waits for bytes without holding a buffer: a zero-byte read, which Kestrel completes when data arrives.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask WaitForBytesAsync(CancellationToken token)
    {
        IsWaitingForData = true;
        try
        {
            // 0 both for "data ready" and for the end of the stream; the read that follows tells them apart.
            _ = await _transport.ReadAsync(Memory<byte>.Empty, token);
        }
        finally
        {
            IsWaitingForData = false;
        }
    }

    /// <summary>
    /// Replaces the compressed payload in <see cref="_message"/> by its inflated form; false (buffer returned)
    /// when that would exceed the size limit. A fresh inflater per message (client_no_context_takeover) means no
    /// inflater state outlives the call. Data that is not DEFLATE fails the connection with 1007.
    /// </summary>
    private bool TryInflateMessage(ref int assembled)
    {
        if (_message is null || _message.Length < assembled + PerMessageDeflate.TailLength)
        {
            ResizeMessage(assembled, assembled + PerMessageDeflate.TailLength);
        }
        PerMessageDeflate.AppendTail(_message.AsSpan(assembled));
        byte[] compressed = _message!;
        bool fits;
        byte[] inflated;
        int length;
        try
        {
            fits = PerMessageDeflate.TryInflate(compressed.AsMemory(0, assembled + PerMessageDeflate.TailLength),
                _maxMessageBytes, Rent, Return, out inflated, out length);
        }
        catch (InvalidDataException ex)
        {
            throw new WebSocketProtocolException(WebSocketCloseCodes.InvalidPayloadData, "compressed message is not valid DEFLATE: " + ex.Message);
        }
        finally
        {
            _message = null;
            Return(compressed);
        }
        if (!fits)
        {
            assembled = 0;
            return false;
        }
        _message = inflated;
        assembled = length;
        return true;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask SkipAsync(long count, CancellationToken token)
    {
        if (count == 0)
        {
            return;
        }

        await WaitForBytesAsync(token);
        byte[] sink = Rent((int)Math.Min(count, SkipChunkBytes));
        try
        {
            while (count > 0)
            {
                int read = await _transport.ReadAsync(sink.AsMemory(0, (int)Math.Min(count, sink.Length)), token);
                if (read == 0)
                {
                    throw new EndOfStreamException();
                }
                count -= read;
            }
        }
        finally
        {
            Return(sink);
        }
    }

    /// <summary>Moves the first <paramref name="used"/> bytes of the message into a buffer of at least <paramref name="size"/>.</summary>
    private void ResizeMessage(int used, int size)
    {
        byte[] grown = Rent(size);
        if (_message is not null)
        {
            _message.AsSpan(0, used).CopyTo(grown);
            Return(_message);
        }
        _message = grown;
    }

    private void ReturnMessageBuffer()
    {
        byte[]? message = _message;
        if (message is not null)
        {
            _message = null;
            Return(message);
        }
    }

    private void ReleaseMessageBufferIfOwned(bool discardData)
    {
        // A close drain never touches _message: the application may still be reading the last payload.
        if (!discardData)
        {
            ReturnMessageBuffer();
        }
    }
}
