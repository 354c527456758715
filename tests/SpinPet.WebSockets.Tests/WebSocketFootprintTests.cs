using System.IO.Pipelines;
using SpinPet.WebSockets;
using SpinPet.TestSupport;

namespace SpinPet.WebSockets.Tests;

/// <summary>Guards the per-connection memory budget (benchmarks.md: at most 1 KB user space per idle connection).</summary>
[Collection(MemoryMeasurements.Name)]
public sealed class WebSocketFootprintTests
{
    [Fact]
    public void A_new_connection_allocates_well_under_a_kilobyte()
    {
        var transport = Stream.Null;
        _ = new WebSocketConnection(transport, 65536);   // warm up type loading and statics

        long before = GC.GetAllocatedBytesForCurrentThread();
        var connection = new WebSocketConnection(transport, 65536);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        GC.KeepAlive(connection);
        Assert.InRange(allocated, 1, 512);
    }

    [Fact]
    public async Task Parked_readers_hold_no_buffer_and_under_1300_bytes_each_beyond_the_transport()
    {
        const int Connections = 1000;
        using var timeout = TestTimeout.Start();

        // Baseline: the same transports with a bare zero-byte read parked on each.
        var held = new List<object>(2 * Connections);
        long start = GC.GetTotalMemory(forceFullCollection: true);
        for (int i = 0; i < Connections; i++)
        {
            var transport = new DuplexPipeStream(new Pipe().Reader, new Pipe().Writer);
            held.Add(transport);
            held.Add(transport.ReadAsync(Memory<byte>.Empty, timeout.Token).AsTask());
        }
        long bare = (GC.GetTotalMemory(forceFullCollection: true) - start) / Connections;
        held.Clear();

        var connections = new List<WebSocketConnection>(Connections);
        start = GC.GetTotalMemory(forceFullCollection: true);
        for (int i = 0; i < Connections; i++)
        {
            var connection = new WebSocketConnection(new DuplexPipeStream(new Pipe().Reader, new Pipe().Writer), 65536);
            connections.Add(connection);
            held.Add(connection.ReceiveAsync(timeout.Token).AsTask());
        }
        await Eventually.TrueAsync(() => connections.TrueForAll(c => c.IsWaitingForData), TimeSpan.FromSeconds(10), "all readers parked");
        long parked = (GC.GetTotalMemory(forceFullCollection: true) - start) / Connections;

        // Measured at ~850-1050 bytes (Release-Debug): connection, semaphore, cancellation source and its
        // registrations, the parked receive's state machine. A rented buffer would add 4 KiB or more.
        Assert.All(connections, c => Assert.Equal(0, c.RentedBytes));
        Assert.True(parked - bare < 1300, $"a parked connection costs {parked - bare} bytes beyond its transport");
        connections.ForEach(c => c.Abort());
        await Task.WhenAll(held.Cast<Task<WebSocketMessage>>());
    }

    /// <summary>A duplex stream over two pipes, whose zero-byte reads wait for data like Kestrel's.</summary>
    private sealed class DuplexPipeStream(PipeReader reader, PipeWriter writer) : Stream
    {
        private readonly Stream _input = reader.AsStream();
        private readonly Stream _output = writer.AsStream();

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => _input.ReadAsync(buffer, cancellationToken);

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => _output.WriteAsync(buffer, cancellationToken);

        public override Task FlushAsync(CancellationToken cancellationToken) => _output.FlushAsync(cancellationToken);

        public override void Flush() => _output.Flush();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
