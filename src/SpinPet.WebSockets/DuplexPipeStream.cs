using System.IO.Pipelines;

namespace SpinPet.WebSockets;

/// <summary>
/// A connection's transport pipes as one stream for <see cref="WebSocketConnection"/>, when the upgrade was taken before
/// the HTTP stack (which would otherwise hand out its own upgraded stream). Disposing it leaves the pipes to their owner,
/// the server, which completes them when the connection ends.
/// </summary>
public sealed class DuplexPipeStream(IDuplexPipe transport) : ConnectionStream
{
    private readonly Stream _input = transport.Input.AsStream(leaveOpen: true);

    // Made on the first write: with direct sends (DirectSendStream) nothing is ever written through the pipe.
    private Stream? _output;

    private Stream Output => _output ??= transport.Output.AsStream(leaveOpen: true);

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        _input.ReadAsync(buffer, cancellationToken);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        _input.ReadAsync(buffer, offset, count, cancellationToken);

    public override int Read(byte[] buffer, int offset, int count) => _input.Read(buffer, offset, count);

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
        Output.WriteAsync(buffer, cancellationToken);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        Output.WriteAsync(buffer, offset, count, cancellationToken);

    public override void Write(byte[] buffer, int offset, int count) => Output.Write(buffer, offset, count);

    public override Task FlushAsync(CancellationToken cancellationToken) => Output.FlushAsync(cancellationToken);

    public override void Flush() => Output.Flush();
}
