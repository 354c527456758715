using System.Net;
using System.Net.Sockets;

namespace SpinPet.WebSockets.Tests;

/// <summary>
/// <see cref="DirectSendStream"/> on a bare loopback socket pair: its non-blocking sends, the asynchronous remainder when
/// the kernel's send buffer is full, and reads still pending beside them.
/// </summary>
public sealed class DirectSendSocketTests
{
    [Fact]
    public async Task A_write_larger_than_the_send_buffer_arrives_whole_and_in_order_once_the_peer_reads()
    {
        using var timeout = TestTimeout.Start();
        var (server, client) = await PairAsync(timeout.Token);
        using (client)
        await using (var stream = new DirectSendStream(new NetworkStream(server, ownsSocket: true), server))
        {
            // Far beyond what loopback buffers hold: the non-blocking send takes a part, the rest waits for room.
            var payload = new byte[8 * 1024 * 1024];
            new Random(7).NextBytes(payload);
            var writing = stream.WriteAsync(payload, timeout.Token);
            Assert.False(writing.IsCompleted);
            var received = new byte[payload.Length];
            int total = 0;
            while (total < received.Length)
            {
                int read = await client.ReceiveAsync(received.AsMemory(total), SocketFlags.None, timeout.Token);
                Assert.NotEqual(0, read);
                total += read;
            }
            await writing;
            Assert.Equal(payload, received);
        }
    }

    [Fact]
    public async Task Small_writes_complete_at_once_while_a_read_waits_and_the_read_still_gets_what_the_peer_sends()
    {
        using var timeout = TestTimeout.Start();
        var (server, client) = await PairAsync(timeout.Token);
        using (client)
        await using (var stream = new DirectSendStream(new NetworkStream(server, ownsSocket: true), server))
        {
            var inbound = new byte[4];
            var reading = stream.ReadAsync(inbound, timeout.Token);
            for (int i = 0; i < 100; i++)
            {
                var writing = stream.WriteAsync(new[] { (byte)i }, timeout.Token);
                Assert.True(writing.IsCompletedSuccessfully);
            }
            var outbound = new byte[100];
            int total = 0;
            while (total < outbound.Length)
            {
                total += await client.ReceiveAsync(outbound.AsMemory(total), SocketFlags.None, timeout.Token);
            }
            Assert.Equal(Enumerable.Range(0, 100).Select(i => (byte)i), outbound);

            Assert.False(reading.IsCompleted);
            await client.SendAsync("ping"u8.ToArray(), SocketFlags.None, timeout.Token);
            Assert.Equal(4, await reading);
            Assert.Equal("ping"u8.ToArray(), inbound);
        }
    }

    [Fact]
    public async Task A_write_after_the_socket_was_disposed_fails_as_an_io_error()
    {
        using var timeout = TestTimeout.Start();
        var (server, client) = await PairAsync(timeout.Token);
        using (client)
        {
            var stream = new DirectSendStream(new NetworkStream(server, ownsSocket: true), server);
            server.Dispose();
            await Assert.ThrowsAsync<IOException>(async () => await stream.WriteAsync(new byte[] { 1 }, timeout.Token));
        }
    }

    [Fact]
    public async Task A_stream_made_on_a_socket_already_gone_fails_its_first_write_as_an_io_error_not_its_construction()
    {
        using var timeout = TestTimeout.Start();
        var (server, client) = await PairAsync(timeout.Token);
        using (client)
        {
            var upgraded = new NetworkStream(server, ownsSocket: true);
            server.Dispose();
            var stream = new DirectSendStream(upgraded, server);
            await Assert.ThrowsAsync<IOException>(async () => await stream.WriteAsync(new byte[] { 1 }, timeout.Token));
        }
    }

    private static async Task<(Socket Server, Socket Client)> PairAsync(CancellationToken ct)
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(listener.LocalEndPoint!, ct);
        var server = await listener.AcceptAsync(ct);
        return (server, client);
    }
}
