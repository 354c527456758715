using System.Buffers.Binary;
using System.Text;
using System.Text.Unicode;

namespace SpinPet.WebSockets;

/// <summary>The close handshake (RFC 6455 section 7): ours, the peer's, and failing the connection.</summary>
public sealed partial class WebSocketConnection
{
    /// <summary>
    /// Sends a close frame (unless one was sent), waits up to 2 s for the peer's close frame, then releases the
    /// transport. Idempotent: later calls wait for the first one. Waiting for the peer's close reads the stream
    /// here only when no <see cref="ReceiveAsync"/> is in progress; otherwise that reader sees it.
    /// </summary>
    public ValueTask CloseAsync(ushort code, string reason, CancellationToken ct)
    {
        if (!WebSocketCloseCodes.IsValidOnWire(code))
        {
            throw new ArgumentOutOfRangeException(nameof(code), code, "Not a close code that may be sent.");
        }
        ArgumentNullException.ThrowIfNull(reason);
        if (Encoding.UTF8.GetByteCount(reason) > WebSocketFrames.MaxControlPayloadLength - 2)
        {
            throw new ArgumentException("A close reason is at most 123 UTF-8 bytes.", nameof(reason));
        }

        var closing = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        TaskCompletionSource? existing = Interlocked.CompareExchange(ref _closing, closing, null);
        return existing is null ? CloseCoreAsync(closing, code, reason, ct) : new ValueTask(existing.Task.WaitAsync(ct));
    }

    private async ValueTask CloseCoreAsync(TaskCompletionSource closing, ushort code, string reason, CancellationToken ct)
    {
        try
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
            deadline.CancelAfter(CloseHandshakeTimeout);
            try
            {
                await SendCloseFrameAsync(code, reason, deadline.Token);
                await WaitForPeerCloseAsync(deadline.Token);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                // The peer did not answer within 2 s: the hard teardown below ends it.
            }
            catch (IOException)
            {
                // The transport failed while closing; there is nothing left to wait for.
            }
            catch (WebSocketProtocolException)
            {
                // The peer broke the protocol while we drained; that path already failed the connection.
            }
        }
        finally
        {
            TearDown(hard: true);
            closing.TrySetResult();
        }
    }

    /// <summary>Returns once no more frames will be read: the peer's close arrived, or the stream ended or failed.</summary>
    private async ValueTask WaitForPeerCloseAsync(CancellationToken ct)
    {
        if ((Volatile.Read(ref _flags) & ReadDoneFlag) != 0)
        {
            return;
        }

        if (Interlocked.CompareExchange(ref _receiving, CloseDrainer, NoReader) == NoReader)
        {
            // Nobody is reading (typically the reader loop itself is closing, e.g. after TooLarge): read here,
            // discarding data frames without buffering them, until the close frame or the end of the stream.
            await ReceiveCoreAsync(discardData: true, ct);
        }
        else
        {
            await ReadDoneTask().WaitAsync(ct);
        }
    }

    private void ReadClosePayload(ReadOnlySpan<byte> payload)
    {
        if (payload.IsEmpty)
        {
            _peerCloseCode = WebSocketCloseCodes.NoStatusReceived;
            return;
        }
        if (payload.Length == 1)
        {
            throw new WebSocketProtocolException("close frame with a 1-byte payload");
        }

        ushort code = BinaryPrimitives.ReadUInt16BigEndian(payload);
        if (!WebSocketCloseCodes.IsValidOnWire(code))
        {
            throw new WebSocketProtocolException($"invalid close code {code}");
        }
        ReadOnlySpan<byte> reason = payload[2..];
        if (!Utf8.IsValid(reason))
        {
            throw new WebSocketProtocolException(WebSocketCloseCodes.InvalidPayloadData, "close reason is not valid UTF-8");
        }
        _peerCloseReason = reason.IsEmpty ? null : Encoding.UTF8.GetString(reason);
        _peerCloseCode = code;
    }

    private WebSocketMessage ClosedMessage(string? reason)
    {
        // _peerCloseCode is 0 until a close frame arrived; without one the close is abnormal (1006).
        ushort code = _peerCloseCode;
        return code == 0
            ? new WebSocketMessage(WebSocketMessageKind.Close, default, WebSocketCloseCodes.AbnormalClosure, reason)
            : new WebSocketMessage(WebSocketMessageKind.Close, default, code, _peerCloseReason);
    }

    /// <summary>Fails the connection (RFC 6455 section 7.1.7): close frame with the code, then release the transport.</summary>
    private async ValueTask FailAsync(ushort code, string reason)
    {
        bool sent = false;
        try
        {
            using var deadline = new CancellationTokenSource(CloseHandshakeTimeout);
            await SendCloseFrameAsync(code, reason, deadline.Token);
            sent = true;
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or ObjectDisposedException)
        {
            // Best effort: the connection is being failed either way.
        }
        finally
        {
            // A close frame that went out is left to be delivered (the stream is closed gracefully); one that could
            // not be written within 2 s means a stuck peer, so drop it hard.
            TearDown(hard: !sent);
        }
    }
}
