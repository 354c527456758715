using System.Net.Sockets;

namespace SpinPet.WebSockets;

/// <summary>
/// An upgraded connection whose writes go straight to its socket instead of through Kestrel's output pipe; reads
/// still come through the upgraded stream (Kestrel's input pipe, its read-ahead bound and timeouts). A write is one
/// non-blocking <c>send</c> on the calling thread when the kernel takes the bytes, and parks on the socket otherwise:
/// no pipe copy, no pipe locks, no flush (decision record 0002).
/// </summary>
/// <remarks>
/// Only for plaintext connections (TLS must go through Kestrel's stream), and only when Kestrel has put the upgrade's
/// 101 response on the socket before <c>UpgradeAsync</c> returned, which it does when its transport schedules inline
/// (<c>SocketTransportOptions.UnsafePreferInlineScheduling</c>): the response's flush runs the pipe's sender in the
/// same call. Otherwise a frame written here could overtake the 101 still waiting in the pipe. Kestrel writes nothing
/// on an upgraded connection after that, so this stream's writes (serialized by <see cref="WebSocketConnection"/>'s
/// send lock) are the only ones on the socket.
/// </remarks>
public sealed class DirectSendStream(Stream upgraded, Socket socket) : ConnectionStream
{
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        upgraded.ReadAsync(buffer, cancellationToken);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        upgraded.ReadAsync(buffer, offset, count, cancellationToken);

    public override int Read(byte[] buffer, int offset, int count) => upgraded.Read(buffer, offset, count);

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.IsEmpty)
        {
            return default;
        }
        try
        {
            var sending = socket.SendAsync(buffer, SocketFlags.None, cancellationToken);
            if (!sending.IsCompletedSuccessfully)
            {
                return FinishWriteAsync(sending, buffer, cancellationToken);
            }
            // A completed send's result is read once; what it left (a stream socket takes all, this is a guard) is
            // sent as a new write.
            int sent = sending.Result;
            return sent == buffer.Length ? default : FinishWriteAsync(new ValueTask<int>(sent), buffer, cancellationToken);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            return ValueTask.FromException(Failed(ex));
        }
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

    /// <summary>Kestrel owns the socket and closes it when the request ends; only the upgraded stream is released here.</summary>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            upgraded.Dispose();
        }
        base.Dispose(disposing);
    }

    public override ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return upgraded.DisposeAsync();
    }

    /// <summary>
    /// Waits for a send that did not complete at once, then sends what it left: a stream socket's send completes with
    /// every byte taken, so the loop only guards a short count.
    /// </summary>
    private async ValueTask FinishWriteAsync(ValueTask<int> sending, ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken)
    {
        try
        {
            int sent = await sending.ConfigureAwait(false);
            while (sent < buffer.Length)
            {
                if (sent == 0)
                {
                    throw new IOException("The socket took no bytes.");
                }
                buffer = buffer[sent..];
                sent = await socket.SendAsync(buffer, SocketFlags.None, cancellationToken).ConfigureAwait(false);
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
