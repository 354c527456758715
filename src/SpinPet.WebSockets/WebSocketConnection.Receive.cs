using System.Buffers.Binary;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Unicode;

namespace SpinPet.WebSockets;

public sealed partial class WebSocketConnection
{
    // ReadMessageAsync's "one frame handled, no message yet": never returned to callers.
    private const WebSocketMessageKind NoMessageKind = (WebSocketMessageKind)(-1);
    private static readonly WebSocketMessage NoMessage = new(NoMessageKind, default, 0, null);

    // Reader state: touched only by the owner of _receiving.
    private long _skipRemaining;       // unread payload bytes of the frame that was reported as TooLarge
    private bool _skippingMessage;     // continuation frames belong to a message being discarded

    /// <summary>
    /// Reads the next complete data message, answering pings and handling close frames on the way. While idle it
    /// waits with a zero-byte read and holds no buffer. Returns <see cref="WebSocketMessageKind.Close"/> when the
    /// peer closed (its close frame is answered first) or the stream ended (code 1006); returns
    /// <see cref="WebSocketMessageKind.TooLarge"/> without buffering the message (a further call skips the rest of
    /// it). Throws <see cref="WebSocketProtocolException"/> after failing the connection for a protocol violation,
    /// and <see cref="OperationCanceledException"/> when <paramref name="ct"/> fires (which aborts the connection).
    /// After a Close, <see cref="CloseAsync"/> or <see cref="DisposeAsync"/> releases the transport. One reader at a time.
    /// </summary>
    public ValueTask<WebSocketMessage> ReceiveAsync(CancellationToken ct)
    {
        int owner = Interlocked.CompareExchange(ref _receiving, AppReader, NoReader);
        if (owner == NoReader)
        {
            return ReceiveCoreAsync(discardData: false, ct);
        }
        if (owner == AppReader)
        {
            throw new InvalidOperationException("ReceiveAsync is already in progress; one reader at a time.");
        }
        return ReceiveAfterReadDoneAsync(ct);
    }

    /// <summary>CloseAsync is draining the stream (or the connection is disposed): report the close when it ends.</summary>
    private async ValueTask<WebSocketMessage> ReceiveAfterReadDoneAsync(CancellationToken ct)
    {
        await ReadDoneTask().WaitAsync(ct);
        return ClosedMessage(reason: null);
    }

    /// <summary>Runs one receive for whoever owns <see cref="_receiving"/> and maps transport endings to Close.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<WebSocketMessage> ReceiveCoreAsync(bool discardData, CancellationToken ct)
    {
        CancellationTokenRegistration registration = default;
        try
        {
            if (!discardData)
            {
                // The previous message's payload is void from here on.
                ReturnMessageBuffer();
            }
            if ((Volatile.Read(ref _flags) & (ReadDoneFlag | TornDownFlag)) != 0)
            {
                MarkReadDone();
                return ClosedMessage(reason: null);
            }

            registration = ct.UnsafeRegister(AbortCallback, this);
            while (true)
            {
                // Idle between frames: wait for bytes without a buffer (Kestrel completes a zero-byte read when data
                // arrives). Only this method's state machine is alive while parked here, not the frame loop's (nor
                // WaitForBytesAsync's, which the frame loop uses within a frame).
                IsWaitingForData = true;
                try
                {
                    // The result is 0 both for "data ready" and end of stream; the header read tells them apart.
                    _ = await _transport.ReadAsync(Memory<byte>.Empty, _transportCancellation.Token);
                }
                finally
                {
                    IsWaitingForData = false;
                }

                WebSocketMessage message = await ReadMessageAsync(discardData);
                if (message.Kind != NoMessageKind)
                {
                    return message;
                }
            }
        }
        catch (WebSocketProtocolException ex)
        {
            ReleaseMessageBufferIfOwned(discardData);
            MarkReadDone();
            await FailAsync(ex.CloseCode, ex.Message);
            throw;
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or OperationCanceledException)
        {
            // EndOfStreamException (an IOException) is a peer that dropped TCP without a close frame; the others
            // are an abort (our cancellation source) or a transport failure. Either way the read side is over.
            ReleaseMessageBufferIfOwned(discardData);
            MarkReadDone();
            if (ct.IsCancellationRequested)
            {
                throw new OperationCanceledException("The receive was cancelled; the connection is aborted.", ex, ct);
            }
            TearDown(hard: false);
            return ClosedMessage(ex is EndOfStreamException ? "the connection ended without a close frame" : ex.Message);
        }
        finally
        {
            registration.Unregister();
            Volatile.Write(ref _receiving, NoReader);
        }
    }

    /// <summary>
    /// Reads frames until a data message is complete. Outside a message it handles one frame and returns
    /// <see cref="NoMessage"/> after a control frame or a skipped frame, so the caller parks again.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<WebSocketMessage> ReadMessageAsync(bool discardData)
    {
        CancellationToken token = _transportCancellation.Token;
        int messageOpcode = -1;   // opcode of the message being assembled, -1 between messages
        bool compressed = false;  // RSV1 of its first frame (permessage-deflate)
        int assembled = 0;
        while (true)
        {
            if (_skipRemaining > 0)
            {
                await SkipAsync(_skipRemaining, token);
                _skipRemaining = 0;
            }

            ClientFrameHeader header = await ReadFrameHeaderAsync(token);
            Volatile.Write(ref _lastReceivedAt, Stopwatch.GetTimestamp());
            // Every frame but a close takes a token, control and continuation frames included: each costs a read and
            // a ping a pong, so a flood of them must not be free (docs/protocol.md, "Limits and lifetime").
            bool admitted = discardData || header.Opcode == WebSocketFrames.OpcodeClose || FrameLimit?.TryTake() != false;
            if (header.IsControl)
            {
                if (await HandleControlFrameAsync(header, admitted, token))
                {
                    return ClosedMessage(reason: null);
                }
                if (messageOpcode < 0)
                {
                    return NoMessage;
                }
                continue;
            }

            bool continuation = header.Opcode == WebSocketFrames.OpcodeContinuation;
            bool inMessage = messageOpcode >= 0 || _skippingMessage;
            if (continuation != inMessage)
            {
                throw new WebSocketProtocolException(continuation
                    ? "continuation frame without a fragmented message"
                    : "new data frame inside an unfinished fragmented message");
            }

            if (_skippingMessage || discardData)
            {
                // The rest of a message reported as TooLarge or RateLimited, or data arriving while draining for a close.
                await SkipAsync(header.PayloadLength, token);
                _skippingMessage = !header.Fin;
                return NoMessage;
            }

            if (!admitted)
            {
                // The whole message is dropped, even when only a late fragment found the bucket empty: report it now,
                // the next receive skips the rest (like TooLarge).
                _skipRemaining = header.PayloadLength;
                _skippingMessage = !header.Fin;
                ReturnMessageBuffer();
                return new WebSocketMessage(WebSocketMessageKind.RateLimited, default, 0, null);
            }

            if (!continuation)
            {
                messageOpcode = header.Opcode;
                compressed = header.Compressed;
            }
            if (header.PayloadLength > _maxMessageBytes - assembled)
            {
                // Report now, before reading the payload; the next receive (or the close drain) skips the rest.
                _skipRemaining = header.PayloadLength;
                _skippingMessage = !header.Fin;
                ReturnMessageBuffer();
                return new WebSocketMessage(WebSocketMessageKind.TooLarge, default, 0, null);
            }

            int length = (int)header.PayloadLength;
            if (length > 0)
            {
                // A message's last frame fixes its size (a compressed one's leaves room for the 4 bytes appended
                // before inflating); an unfinished one may grow up to the limit.
                int capacity = header.Fin ? assembled + length + (compressed ? PerMessageDeflate.TailLength : 0) : _maxMessageBytes;
                await ReadPayloadAsync(assembled, length, capacity, token);
                WebSocketMask.Apply(_message.AsSpan(assembled, length), header.MaskKey);
                assembled += length;
            }
            if (!header.Fin)
            {
                continue;
            }

            if (compressed && !TryInflateMessage(ref assembled))
            {
                // Inflated past the limit (a zip bomb, or just too big): nothing is left to skip on the wire.
                return new WebSocketMessage(WebSocketMessageKind.TooLarge, default, 0, null);
            }
            ReadOnlyMemory<byte> payload = assembled == 0 ? default : _message.AsMemory(0, assembled);
            if (messageOpcode == WebSocketFrames.OpcodeText)
            {
                // Validated once the message is whole: a character may straddle two fragments.
                if (!Utf8.IsValid(payload.Span))
                {
                    throw new WebSocketProtocolException(WebSocketCloseCodes.InvalidPayloadData, "text message is not valid UTF-8");
                }
                return new WebSocketMessage(WebSocketMessageKind.Text, payload, 0, null);
            }
            return new WebSocketMessage(WebSocketMessageKind.Binary, payload, 0, null);
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<ClientFrameHeader> ReadFrameHeaderAsync(CancellationToken token)
    {
        // Exactly the header's bytes are read, never more, so nothing is left over to keep between calls.
        byte[] scratch = _headerScratch;
        await _transport.ReadExactlyAsync(scratch.AsMemory(0, 2), token);
        int rest = ClientFrameHeader.ValidateStart(scratch[0], scratch[1], IsDeflateNegotiated);
        await _transport.ReadExactlyAsync(scratch.AsMemory(2, rest), token);
        return ClientFrameHeader.Parse(scratch.AsSpan(0, 2 + rest));
    }

    /// <summary>
    /// Handles a ping, pong or close frame; returns true for a close. A ping that found the inbound limit's bucket
    /// empty (<paramref name="admitted"/> false) is read and dropped without a pong.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool> HandleControlFrameAsync(ClientFrameHeader header, bool admitted, CancellationToken token)
    {
        int length = (int)header.PayloadLength;
        byte[]? buffer = length == 0 ? null : Rent(length);
        try
        {
            Memory<byte> payload = buffer is null ? Memory<byte>.Empty : buffer.AsMemory(0, length);
            if (length > 0)
            {
                await _transport.ReadExactlyAsync(payload, token);
                WebSocketMask.Apply(payload.Span, header.MaskKey);
            }

            switch (header.Opcode)
            {
                case WebSocketFrames.OpcodePing:
                    // RFC 6455 section 5.5.3: a pong carries the ping's payload. Through the send lock like any frame.
                    if (admitted)
                    {
                        await SendSingleAsync(WebSocketFrames.OpcodePong, payload, token);
                    }
                    return false;
                case WebSocketFrames.OpcodePong:
                    // Only proof of life; LastReceivedAt is already updated.
                    return false;
                default:
                    ReadClosePayload(payload.Span);
                    Interlocked.Or(ref _flags, CloseReceivedFlag);

                    // RFC 6455 section 5.5.1: answer with a close frame echoing the code, unless ours went first.
                    await SendCloseFrameAsync(_peerCloseCode, string.Empty, token);
                    MarkReadDone();
                    return true;
            }
        }
        finally
        {
            if (buffer is not null)
            {
                Return(buffer);
            }
        }
    }
}
