namespace SpinPet.WebSockets;

/// <summary>
/// What every stream over a live connection shares: it reads and writes and has no length, position or seeking. The
/// transports a <see cref="WebSocketConnection"/> runs over derive from it.
/// </summary>
public abstract class ConnectionStream : Stream
{
    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
