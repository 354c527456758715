using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Text;

namespace SpinPet.WebSockets;

public sealed partial class WebSocketConnection
{
    // Kestrel's upgraded stream flushes to the socket on every WriteAsync, so frames are staged in one pooled buffer
    // and written together: a batch of ~300-byte kline messages costs one write per 16 KiB instead of two per message.
    private const int StagingBytes = 16 * 1024;

    // From this size a segment is written from the caller's memory instead of being copied into the staging
    // buffer: one extra write is cheap next to copying 4 KiB or more.
    private const int DirectWriteBytes = 4 * 1024;

    // Send state: touched only while holding _sendLock.
    private byte[]? _staging;
    private int _staged;
    private CancellationTokenRegistration _sendRegistration;

    /// <summary>Sends one unfragmented text frame. Throws <see cref="InvalidOperationException"/> once closing.</summary>
    public ValueTask SendTextAsync(ReadOnlyMemory<byte> utf8Payload, CancellationToken ct) =>
        SendSingleAsync(WebSocketFrames.OpcodeText, utf8Payload, ct);

    /// <summary>Sends one unfragmented binary frame. Throws <see cref="InvalidOperationException"/> once closing.</summary>
    public ValueTask SendBinaryAsync(ReadOnlyMemory<byte> payload, CancellationToken ct) =>
        SendSingleAsync(WebSocketFrames.OpcodeBinary, payload, ct);

    /// <summary>
    /// Sends one text message made of three parts (a shared frame's prefix, a per-client part, the shared suffix)
    /// without a list to describe them. Completes synchronously when the transport takes the bytes at once.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask SendTextAsync(ReadOnlyMemory<byte> first, ReadOnlyMemory<byte> second, ReadOnlyMemory<byte> third, CancellationToken ct)
    {
        long length = (long)first.Length + second.Length + third.Length;
        if (!await EnterSendAsync(WebSocketFrames.OpcodeText, WebSocketFrames.MaxHeaderLength + length, ct))
        {
            return;
        }
        try
        {
            await StageHeaderAsync(WebSocketFrames.OpcodeText, length);
            await StageAsync(first);
            await StageAsync(second);
            await StageAsync(third);
            await FinishSendAsync();
        }
        catch (Exception ex)
        {
            FailSend(ex, ct);
        }
        finally
        {
            ExitSend();
        }
    }

    /// <summary>
    /// Sends several complete text messages, each the concatenation of its segments and each either plain or
    /// already compressed (<see cref="WebSocketOutboundMessage.Deflated"/>, only when <see cref="IsDeflateNegotiated"/>),
    /// back to back with one flush.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask SendBatchAsync(IReadOnlyList<WebSocketOutboundMessage> messages, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(messages);
        if (messages.Count == 0)
        {
            return;
        }

        long total = 0;
        for (int i = 0; i < messages.Count; i++)
        {
            if (messages[i].Compressed && !IsDeflateNegotiated)
            {
                throw new InvalidOperationException("A compressed message needs a connection that negotiated permessage-deflate.");
            }
            total += WebSocketFrames.MaxHeaderLength + messages[i].Length;
        }
        if (!await EnterSendAsync(WebSocketFrames.OpcodeText, total, ct))
        {
            return;
        }
        try
        {
            for (int i = 0; i < messages.Count; i++)
            {
                var message = messages[i];
                await StageHeaderAsync(WebSocketFrames.OpcodeText, message.Length, message.Compressed);
                for (int j = 0; j < message.SegmentCount; j++)
                {
                    await StageAsync(message.Segment(j));
                }
            }
            await FinishSendAsync();
        }
        catch (Exception ex)
        {
            FailSend(ex, ct);
        }
        finally
        {
            ExitSend();
        }
    }

    /// <summary>
    /// Sends an empty ping. The peer's pong shows up as a newer <see cref="LastReceivedAt"/>. Does nothing once a
    /// close frame was sent or the connection is gone.
    /// </summary>
    public ValueTask SendPingAsync(CancellationToken ct) =>
        SendSingleAsync(WebSocketFrames.OpcodePing, ReadOnlyMemory<byte>.Empty, ct);

    /// <summary>One unfragmented frame; a ping or pong is silently skipped once the close frame was sent.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask SendSingleAsync(byte opcode, ReadOnlyMemory<byte> payload, CancellationToken ct)
    {
        if (!await EnterSendAsync(opcode, WebSocketFrames.MaxHeaderLength + (long)payload.Length, ct))
        {
            return;
        }
        try
        {
            await StageHeaderAsync(opcode, payload.Length);
            await StageAsync(payload);
            await FinishSendAsync();
        }
        catch (Exception ex)
        {
            FailSend(ex, ct);
        }
        finally
        {
            ExitSend();
        }
    }

    /// <summary>
    /// Sends the close frame unless one was sent already. <see cref="WebSocketCloseCodes.NoStatusReceived"/> sends an
    /// empty payload (the answer to a close frame that carried no code).
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask SendCloseFrameAsync(ushort code, string reason, CancellationToken ct)
    {
        int payloadLength = code == WebSocketCloseCodes.NoStatusReceived ? 0 : 2 + Encoding.UTF8.GetByteCount(reason);
        Debug.Assert(payloadLength <= WebSocketFrames.MaxControlPayloadLength);
        if (!await EnterSendAsync(WebSocketFrames.OpcodeClose, WebSocketFrames.MaxHeaderLength + payloadLength, ct))
        {
            return;
        }
        try
        {
            StageClose(code, reason, payloadLength);
            await FinishSendAsync();
        }
        catch (Exception ex)
        {
            FailSend(ex, ct);
        }
        finally
        {
            ExitSend();
        }
    }

    private void StageClose(ushort code, string reason, int payloadLength)
    {
        // The staging buffer was rented for exactly this frame, so it fits without a write.
        Span<byte> destination = _staging.AsSpan(_staged);
        int written = WebSocketFrames.WriteHeader(destination, WebSocketFrames.OpcodeClose, fin: true, payloadLength);
        if (payloadLength > 0)
        {
            BinaryPrimitives.WriteUInt16BigEndian(destination[written..], code);
            written += 2;
            written += Encoding.UTF8.GetBytes(reason, destination[written..]);
        }
        _staged += written;
    }

    /// <summary>
    /// Takes the send lock and rents the staging buffer. Returns false (lock not held) for a control frame that
    /// must not be sent any more; throws <see cref="InvalidOperationException"/> for data after the close frame.
    /// Cancelling <paramref name="ct"/> while waiting for the lock only cancels this send.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool> EnterSendAsync(byte opcode, long stagingHint, CancellationToken ct)
    {
        await _sendLock.WaitAsync(ct);
        int flags = Volatile.Read(ref _flags);
        if ((flags & (CloseSentFlag | TornDownFlag)) != 0)
        {
            _sendLock.Release();
            if (opcode is WebSocketFrames.OpcodeText or WebSocketFrames.OpcodeBinary)
            {
                throw new InvalidOperationException((flags & TornDownFlag) != 0
                    ? "The WebSocket connection is closed."
                    : "The WebSocket close frame was sent; no message may follow it.");
            }
            return false;
        }

        if (opcode == WebSocketFrames.OpcodeClose)
        {
            // Set before writing, so that no data frame can follow even if this write fails.
            Interlocked.Or(ref _flags, CloseSentFlag);
        }

        // From here bytes may be half written, so cancellation aborts the whole connection.
        _sendRegistration = ct == _transportCancellation.Token ? default : ct.UnsafeRegister(AbortCallback, this);
        _staging = Rent((int)Math.Min(stagingHint, StagingBytes));
        _staged = 0;
        return true;
    }

    /// <summary>
    /// Aborts the connection (bytes may be half written) and rethrows. A cancellation the caller did not ask for is
    /// the transport torn down under this send (the reader saw a reset, another path aborted): the caller gets the
    /// <see cref="IOException"/> of a lost connection, as from a reset socket, not an <see cref="OperationCanceledException"/>.
    /// </summary>
    [DoesNotReturn]
    private void FailSend(Exception ex, CancellationToken ct)
    {
        Abort();
        if (ex is OperationCanceledException && !ct.IsCancellationRequested)
        {
            throw new IOException("The WebSocket connection was closed while a send was in progress.", ex);
        }
        ExceptionDispatchInfo.Throw(ex);
    }

    private void ExitSend()
    {
        _sendRegistration.Unregister();
        _sendRegistration = default;
        byte[]? staging = _staging;
        _staging = null;
        if (staging is not null)
        {
            Return(staging);
        }
        _sendLock.Release();
    }

    private ValueTask StageHeaderAsync(byte opcode, long payloadLength, bool compressed = false)
    {
        byte[] staging = _staging!;
        if (staging.Length - _staged < WebSocketFrames.MaxHeaderLength)
        {
            return WriteStagedThenHeaderAsync(opcode, payloadLength, compressed);
        }
        _staged += WebSocketFrames.WriteHeader(staging.AsSpan(_staged), opcode, fin: true, payloadLength, compressed);
        return default;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask WriteStagedThenHeaderAsync(byte opcode, long payloadLength, bool compressed)
    {
        await WriteStagedAsync();
        _staged += WebSocketFrames.WriteHeader(_staging.AsSpan(_staged), opcode, fin: true, payloadLength, compressed);
    }

    private ValueTask StageAsync(ReadOnlyMemory<byte> data)
    {
        byte[] staging = _staging!;
        if (data.Length <= staging.Length - _staged)
        {
            data.Span.CopyTo(staging.AsSpan(_staged));
            _staged += data.Length;
            return default;
        }
        return StageLargeAsync(data);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask StageLargeAsync(ReadOnlyMemory<byte> data)
    {
        while (!data.IsEmpty)
        {
            // Top up what is staged first, so a header never leaves in a write (and a TCP segment) of its own.
            if (_staged == 0 && data.Length >= DirectWriteBytes)
            {
                await _transport.WriteAsync(data, _transportCancellation.Token);
                return;
            }
            int count = Math.Min(_staging!.Length - _staged, data.Length);
            data.Span[..count].CopyTo(_staging.AsSpan(_staged));
            _staged += count;
            data = data[count..];
            if (_staged == _staging.Length)
            {
                await WriteStagedAsync();
            }
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask WriteStagedAsync()
    {
        if (_staged > 0)
        {
            await _transport.WriteAsync(_staging.AsMemory(0, _staged), _transportCancellation.Token);
            _staged = 0;
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask FinishSendAsync()
    {
        await WriteStagedAsync();
        await _transport.FlushAsync(_transportCancellation.Token);
    }
}
