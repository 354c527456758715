using System.Net.Sockets;

namespace SpinPet.WebSockets;

/// <summary>
/// An upgraded connection whose writes go straight to its socket instead of through Kestrel's output pipe; reads
/// still come through the upgraded stream (Kestrel's input pipe, or a <c>NetworkStream</c> on a socket served without
/// Kestrel's transport). A write is one non-blocking <c>send</c> on the calling thread when the kernel takes the bytes,
/// and an asynchronous send for the rest otherwise: no pipe copy, no pipe locks, no flush (decision record 0002).
/// </summary>
/// <remarks>
/// Only for plaintext connections (TLS must go through Kestrel's stream), and only when Kestrel has put the upgrade's
/// 101 response on the socket before <c>UpgradeAsync</c> returned, which it does when its transport schedules inline
/// (<c>SocketTransportOptions.UnsafePreferInlineScheduling</c>): the response's flush runs the pipe's sender in the
/// same call. Otherwise a frame written here could overtake the 101 still waiting in the pipe. Kestrel writes nothing
/// on an upgraded connection after that, so this stream's writes (serialized by <see cref="WebSocketConnection"/>'s
/// send lock) are the only ones on the socket.
/// </remarks>
public sealed class DirectSendStream : ConnectionStream
{
    private readonly Stream _upgraded;
    private readonly Socket _socket;

    /// <param name="upgraded">What reads come through; disposed with this stream.</param>
    /// <param name="socket">
    /// The connection's socket, put in non-blocking mode for this stream's synchronous sends (its asynchronous operations,
    /// the only kind anyone else runs on it, do not depend on that mode).
    /// </param>
    public DirectSendStream(Stream upgraded, Socket socket)
    {
        _upgraded = upgraded;
        _socket = socket;
        try
        {
            socket.Blocking = false;
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // The connection is already gone; the first write fails as any write to a dead socket does.
        }
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        _upgraded.ReadAsync(buffer, cancellationToken);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        _upgraded.ReadAsync(buffer, offset, count, cancellationToken);

    public override int Read(byte[] buffer, int offset, int count) => _upgraded.Read(buffer, offset, count);

    /// <summary>
    /// One non-blocking <c>send</c> on the calling thread: done when the kernel takes every byte (no task, no socket event
    /// arguments, nothing allocated); what it leaves, when the connection's send buffer is full, goes by an asynchronous
    /// send that waits for room.
    /// </summary>
    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.IsEmpty)
        {
            return default;
        }
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled(cancellationToken);
        }
        int sent;
        SocketError error;
        try
        {
            sent = _socket.Send(buffer.Span, SocketFlags.None, out error);
        }
        catch (ObjectDisposedException ex)
        {
            return ValueTask.FromException(Failed(ex));
        }
        if (error == SocketError.WouldBlock)
        {
            sent = 0;
        }
        else if (error != SocketError.Success)
        {
            return ValueTask.FromException(Failed(new SocketException((int)error)));
        }
        return sent == buffer.Length ? default : FinishWriteAsync(buffer[sent..], cancellationToken);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) =>
        WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    /// <summary>Nothing is buffered here: a completed write is in the kernel.</summary>
    public override Task FlushAsync(CancellationToken cancellationToken) =>
        cancellationToken.IsCancellationRequested ? Task.FromCanceled(cancellationToken) : Task.CompletedTask;

    public override void Flush()
    {
    }

    /// <summary>The socket is its owner's (Kestrel's, or the upgraded stream's); only the upgraded stream is released here.</summary>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _upgraded.Dispose();
        }
        base.Dispose(disposing);
    }

    public override ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return _upgraded.DisposeAsync();
    }

    /// <summary>
    /// Sends what a full send buffer left, waiting for room: a stream socket's asynchronous send completes with every byte
    /// taken, so the loop only guards a short count.
    /// </summary>
    private async ValueTask FinishWriteAsync(ReadOnlyMemory<byte> rest, CancellationToken cancellationToken)
    {
        try
        {
            while (!rest.IsEmpty)
            {
                int sent = await _socket.SendAsync(rest, SocketFlags.None, cancellationToken).ConfigureAwait(false);
                if (sent == 0)
                {
                    throw new IOException("The socket took no bytes.");
                }
                rest = rest[sent..];
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            throw Failed(ex);
        }
    }

    /// <summary>The failures the connection's callers handle for any transport: an aborted or reset socket is an <see cref="IOException"/>.</summary>
    private static IOException Failed(Exception ex) => new($"The socket write failed: {ex.Message}", ex);
}
