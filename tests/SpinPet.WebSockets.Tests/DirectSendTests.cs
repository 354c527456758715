using System.Net.WebSockets;

namespace SpinPet.WebSockets.Tests;

/// <summary>
/// Frames written straight to the socket (<see cref="DirectSendStream"/>) on a real Kestrel with inline scheduling,
/// checked with a real ClientWebSocket: the 101 response still comes first, and frames stay whole and ordered.
/// </summary>
public sealed class DirectSendTests
{
    private static readonly byte[] Greeting = """{"type":"hello"}"""u8.ToArray();

    [Fact]
    public async Task A_frame_sent_the_moment_the_upgrade_returns_arrives_after_the_101_on_every_connection()
    {
        // A frame that overtook the 101 response still in Kestrel's pipe would fail the client's handshake.
        await using var server = await EchoServer.StartAsync(directSend: true, greeting: Greeting);
        using var timeout = TestTimeout.Start(60);
        for (int i = 0; i < 100; i++)
        {
            using var client = await ClientSockets.ConnectAsync(server.WebSocketUri, timeout.Token);
            var session = await server.NextSessionAsync();
            Assert.True(session.Connection.WritesToSocket);
            var greeting = await client.ReceiveWholeAsync(timeout.Token);
            Assert.Equal(Greeting, greeting.Payload);
            await client.CloseAsync(WebSocketCloseStatus.NormalClosure, "", timeout.Token);
        }
    }

    [Fact]
    public async Task Without_direct_send_the_connection_writes_through_the_upgraded_stream()
    {
        await using var server = await EchoServer.StartAsync(directSend: false, greeting: Greeting);
        using var timeout = TestTimeout.Start();
        using var client = await ClientSockets.ConnectAsync(server.WebSocketUri, timeout.Token);
        Assert.False((await server.NextSessionAsync()).Connection.WritesToSocket);
        Assert.Equal(Greeting, (await client.ReceiveWholeAsync(timeout.Token)).Payload);
    }

    [Fact]
    public async Task A_send_to_a_connection_the_peer_reset_fails_as_an_io_error()
    {
        await using var server = await EchoServer.StartAsync(directSend: true);
        using var timeout = TestTimeout.Start();
        var client = await ClientSockets.ConnectAsync(server.WebSocketUri, timeout.Token);
        var connection = (await server.NextSessionAsync()).Connection;
        client.Abort();
        client.Dispose();

        // The first writes may still land in the kernel's buffer before the reset is known; a later one fails, and
        // as the IOException every caller handles, not a SocketException.
        var payload = new byte[16 * 1024];
        var failure = await Record.ExceptionAsync(async () =>
        {
            while (!timeout.Token.IsCancellationRequested)
            {
                await connection.SendBinaryAsync(payload, timeout.Token);
            }
        });
        // InvalidOperationException: the reader saw the reset first and released the connection before a send began;
        // a send already under way when that happens fails as an IOException too (not a cancellation).
        Assert.True(failure is IOException or InvalidOperationException, $"got {failure?.GetType().Name}: {failure?.Message}");
    }
}
