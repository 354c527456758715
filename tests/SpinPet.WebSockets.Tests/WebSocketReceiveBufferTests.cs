using System.Text;
using SpinPet.TestSupport;

namespace SpinPet.WebSockets.Tests;

/// <summary>
/// What a frame's header announces reserves nothing: the message buffer grows with the bytes that arrived. The
/// reader used to rent a buffer of the announced length before reading the payload, so a 14-byte header announcing
/// 64 KiB (websocket.max_message_bytes) pinned 64 KiB per connection for as long as the client kept the frame open.
/// </summary>
public sealed class WebSocketReceiveBufferTests : IAsyncLifetime
{
    // Bytes of the payload sent before the client stalls: far less than the first buffer.
    private const int Trickle = 10;

    // The reader's first buffer for a frame: what bytes that arrived may make it rent at once.
    private const int FirstBufferBytes = 4 * 1024;

    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);

    private EchoServer _server = null!;

    public async ValueTask InitializeAsync() => _server = await EchoServer.StartAsync();

    public async ValueTask DisposeAsync() => await _server.DisposeAsync();

    [Theory]
    [InlineData(0x81)]   // a whole message in one frame
    [InlineData(0x01)]   // the first fragment of a message
    public async Task A_frame_announced_at_the_size_limit_holds_only_a_buffer_for_what_arrived(byte first)
    {
        using var timeout = TestTimeout.Start();
        await using var client = await RawWebSocketClient.ConnectAsync(_server.Port, timeout.Token);
        var connection = (await _server.NextSessionAsync()).Connection;
        await Eventually.TrueAsync(() => connection.IsWaitingForData, Wait, "reader parked");

        byte[] payload = Text(EchoServer.MaxMessageBytes);
        byte[] frame = RawWebSocketClient.EncodeFrame(first, payload);
        int header = frame.Length - payload.Length;
        await client.SendRawAsync(frame.AsMemory(0, header + Trickle), timeout.Token);

        await Eventually.TrueAsync(() => connection.RentedBytes > 0, Wait, "the first payload bytes read");
        Assert.True(connection.RentedBytes <= FirstBufferBytes,
            $"{connection.RentedBytes} bytes held for {Trickle} bytes received of a {payload.Length}-byte frame");

        // The rest arrives: the buffer grows to the message and the message is whole.
        await client.SendRawAsync(frame.AsMemory(header + Trickle), timeout.Token);
        if (first == 0x01)
        {
            await client.SendFrameAsync(0x80, ReadOnlyMemory<byte>.Empty, timeout.Token);
        }
        var echo = await client.ReadFrameAsync(timeout.Token);
        Assert.Equal(0x81, echo.First);
        Assert.Equal(payload, echo.Payload);
    }

    [Fact]
    public async Task A_header_without_payload_bytes_holds_no_buffer()
    {
        using var timeout = TestTimeout.Start();
        await using var client = await RawWebSocketClient.ConnectAsync(_server.Port, timeout.Token);
        var connection = (await _server.NextSessionAsync()).Connection;
        await Eventually.TrueAsync(() => connection.IsWaitingForData, Wait, "reader parked");
        long idleSince = connection.LastReceivedAt;

        byte[] payload = Text(EchoServer.MaxMessageBytes);
        byte[] frame = RawWebSocketClient.EncodeFrame(0x81, payload);
        int header = frame.Length - payload.Length;
        await client.SendRawAsync(frame.AsMemory(0, header), timeout.Token);

        // The header was read (it moved LastReceivedAt) and the reader waits for the payload with a zero-byte read.
        await Eventually.TrueAsync(() => connection.LastReceivedAt != idleSince && connection.IsWaitingForData, Wait, "reader waiting for the payload");
        Assert.Equal(0, connection.RentedBytes);

        await client.SendRawAsync(frame.AsMemory(header), timeout.Token);
        Assert.Equal(payload, (await client.ReadFrameAsync(timeout.Token)).Payload);
    }

    private static byte[] Text(int size) => Encoding.ASCII.GetBytes(string.Concat(Enumerable.Range(0, size).Select(i => (char)('a' + (i % 26)))));
}
