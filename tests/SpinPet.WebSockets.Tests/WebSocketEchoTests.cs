using System.Net.WebSockets;
using System.Text;
using SpinPet.WebSockets;
using SpinPet.TestSupport;

namespace SpinPet.WebSockets.Tests;

/// <summary>A real ClientWebSocket against the echo server: sizes, fragmentation, limits, UTF-8 and closing.</summary>
public sealed class WebSocketEchoTests : IAsyncLifetime
{
    private EchoServer _server = null!;

    public async ValueTask InitializeAsync() => _server = await EchoServer.StartAsync();

    public async ValueTask DisposeAsync() => await _server.DisposeAsync();

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    [InlineData(125)]
    [InlineData(126)]
    [InlineData(65535)]
    [InlineData(65536)]
    public async Task Text_message_of_boundary_size_echoes_intact(int size)
    {
        using var timeout = TestTimeout.Start();
        using var client = await ClientSockets.ConnectAsync(_server.WebSocketUri, timeout.Token);
        byte[] message = Text(size);

        await client.SendAsync(message, WebSocketMessageType.Text, endOfMessage: true, timeout.Token);
        var echo = await client.ReceiveWholeAsync(timeout.Token);

        Assert.Equal(WebSocketMessageType.Text, echo.Type);
        Assert.Equal(message, echo.Payload);
    }

    [Fact]
    public async Task Fragmented_message_is_reassembled_even_with_a_character_split_across_fragments()
    {
        using var timeout = TestTimeout.Start();
        using var client = await ClientSockets.ConnectAsync(_server.WebSocketUri, timeout.Token);
        byte[] message = [.. Text(5000), .. "é"u8, .. Text(3000)];

        // The split lands between the two bytes of "é": each fragment alone is invalid UTF-8, the message is not.
        await client.SendAsync(message.AsMemory(0, 5001), WebSocketMessageType.Text, endOfMessage: false, timeout.Token);
        await client.SendAsync(ReadOnlyMemory<byte>.Empty, WebSocketMessageType.Text, endOfMessage: false, timeout.Token);
        await client.SendAsync(message.AsMemory(5001), WebSocketMessageType.Text, endOfMessage: true, timeout.Token);
        var echo = await client.ReceiveWholeAsync(timeout.Token);

        Assert.Equal(message, echo.Payload);
    }

    [Fact]
    public async Task Binary_message_is_received_as_binary()
    {
        using var timeout = TestTimeout.Start();
        using var client = await ClientSockets.ConnectAsync(_server.WebSocketUri, timeout.Token);
        byte[] message = [0xFF, 0x00, 0xC3, 0x28];
        var session = await _server.NextSessionAsync();

        await client.SendAsync(message, WebSocketMessageType.Binary, endOfMessage: true, timeout.Token);
        var echo = await client.ReceiveWholeAsync(timeout.Token);

        Assert.Equal(WebSocketMessageType.Binary, echo.Type);
        Assert.Equal(message, echo.Payload);
        Assert.Equal([WebSocketMessageKind.Binary], session.Received);
    }

    [Theory]
    [InlineData(EchoServer.MaxMessageBytes + 1, 1)]
    [InlineData(40_000, 2)]          // each fragment fits, the message does not
    [InlineData(1_000_000, 1)]       // skipped in 4 KiB reads, never buffered
    public async Task Message_over_the_limit_is_reported_too_large_and_closed_with_1009(int fragmentSize, int fragments)
    {
        using var timeout = TestTimeout.Start();
        using var client = await ClientSockets.ConnectAsync(_server.WebSocketUri, timeout.Token);
        var session = await _server.NextSessionAsync();

        for (int i = 0; i < fragments; i++)
        {
            await client.SendAsync(Text(fragmentSize), WebSocketMessageType.Text, endOfMessage: i == fragments - 1, timeout.Token);
        }
        var error = await client.ReceiveWholeAsync(timeout.Token);
        var close = await client.ReceiveWholeAsync(timeout.Token);
        await client.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "ok", timeout.Token);

        Assert.Equal(EchoServer.TooLargeError, error.Payload);
        Assert.Equal(WebSocketMessageType.Close, close.Type);
        Assert.Equal(WebSocketCloseStatus.MessageTooBig, client.CloseStatus);
        Assert.Equal(WebSocketMessageKind.TooLarge, (await session.EndAsync()).Kind);
        await Eventually.TrueAsync(() => session.Connection.State == WebSocketConnectionState.Closed, TimeSpan.FromSeconds(5), "close handshake completed");
    }

    [Fact]
    public async Task Reading_on_after_too_large_skips_the_rest_of_that_message()
    {
        await using var server = await EchoServer.StartAsync(closeOnTooLarge: false);
        using var timeout = TestTimeout.Start();
        using var client = await ClientSockets.ConnectAsync(server.WebSocketUri, timeout.Token);
        var session = await server.NextSessionAsync();

        // A large first fragment, then more fragments of the same message: all of it must be skipped.
        await client.SendAsync(Text(EchoServer.MaxMessageBytes + 10), WebSocketMessageType.Text, endOfMessage: false, timeout.Token);
        await client.SendAsync(Text(1000), WebSocketMessageType.Text, endOfMessage: false, timeout.Token);
        await client.SendAsync(Text(10), WebSocketMessageType.Text, endOfMessage: true, timeout.Token);
        await client.SendAsync("next"u8.ToArray(), WebSocketMessageType.Text, endOfMessage: true, timeout.Token);

        Assert.Equal(EchoServer.TooLargeError, (await client.ReceiveWholeAsync(timeout.Token)).Payload);
        Assert.Equal("next"u8.ToArray(), (await client.ReceiveWholeAsync(timeout.Token)).Payload);
        Assert.Equal([WebSocketMessageKind.TooLarge, WebSocketMessageKind.Text], session.Received);
        Assert.Equal(WebSocketConnectionState.Open, session.Connection.State);
    }

    [Fact]
    public async Task Invalid_utf8_text_is_closed_with_1007()
    {
        using var timeout = TestTimeout.Start();
        using var client = await ClientSockets.ConnectAsync(_server.WebSocketUri, timeout.Token);
        var session = await _server.NextSessionAsync();

        await client.SendAsync(new byte[] { 0x68, 0xC3, 0x28 }, WebSocketMessageType.Text, endOfMessage: true, timeout.Token);
        var close = await client.ReceiveWholeAsync(timeout.Token);

        Assert.Equal(WebSocketMessageType.Close, close.Type);
        Assert.Equal(WebSocketCloseStatus.InvalidPayloadData, client.CloseStatus);
        var failure = await Assert.ThrowsAsync<WebSocketProtocolException>(session.EndAsync);
        Assert.Equal(WebSocketCloseCodes.InvalidPayloadData, failure.CloseCode);
    }

    [Fact]
    public async Task Client_close_is_reported_with_its_code_and_reason_and_echoed()
    {
        using var timeout = TestTimeout.Start();
        using var client = await ClientSockets.ConnectAsync(_server.WebSocketUri, timeout.Token);
        var session = await _server.NextSessionAsync();

        await client.CloseAsync((WebSocketCloseStatus)4000, "client bye", timeout.Token);

        Assert.Equal((WebSocketCloseStatus)4000, client.CloseStatus);
        Assert.Equal(WebSocketState.Closed, client.State);
        var end = await session.EndAsync();
        Assert.Equal(new WebSocketMessage(WebSocketMessageKind.Close, default, 4000, "client bye"), end);
        Assert.Equal(WebSocketConnectionState.Closed, session.Connection.State);
    }

    [Fact]
    public async Task Server_close_reaches_the_client_with_its_code_and_reason_while_the_reader_runs()
    {
        using var timeout = TestTimeout.Start();
        using var client = await ClientSockets.ConnectAsync(_server.WebSocketUri, timeout.Token);
        var session = await _server.NextSessionAsync();

        var closing = session.Connection.CloseAsync(4001, "server bye", timeout.Token);
        var closingAgain = session.Connection.CloseAsync(WebSocketCloseCodes.GoingAway, "ignored", timeout.Token);
        var close = await client.ReceiveWholeAsync(timeout.Token);
        Assert.Equal(WebSocketConnectionState.CloseSent, session.Connection.State);
        await client.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "ack", timeout.Token);
        await closing;
        await closingAgain;

        Assert.Equal(WebSocketMessageType.Close, close.Type);
        Assert.Equal((WebSocketCloseStatus)4001, client.CloseStatus);
        Assert.Equal("server bye", client.CloseStatusDescription);
        Assert.Equal(WebSocketConnectionState.Closed, session.Connection.State);
        Assert.Equal(new WebSocketMessage(WebSocketMessageKind.Close, default, 1000, "ack"), await session.EndAsync());
        await Assert.ThrowsAsync<InvalidOperationException>(() => session.Connection.SendTextAsync("late"u8.ToArray(), timeout.Token).AsTask());
    }

    [Fact]
    public async Task Server_ping_is_answered_and_advances_last_received_at()
    {
        using var timeout = TestTimeout.Start();
        using var client = await ClientSockets.ConnectAsync(_server.WebSocketUri, timeout.Token);
        var session = await _server.NextSessionAsync();

        // ClientWebSocket answers pings only while a receive is pending.
        var pending = client.ReceiveWholeAsync(timeout.Token);
        long before = session.Connection.LastReceivedAt;
        await session.Connection.SendPingAsync(timeout.Token);

        await Eventually.TrueAsync(() => session.Connection.LastReceivedAt > before, TimeSpan.FromSeconds(5), "pong received");
        Assert.False(pending.IsCompleted);
        Assert.Empty(session.Received);
    }

    [Fact]
    public async Task Idle_connection_holds_no_rented_buffer()
    {
        using var timeout = TestTimeout.Start();
        using var client = await ClientSockets.ConnectAsync(_server.WebSocketUri, timeout.Token);
        var session = await _server.NextSessionAsync();
        var connection = session.Connection;

        await Eventually.TrueAsync(() => connection.IsWaitingForData, TimeSpan.FromSeconds(5), "reader parked");
        Assert.Equal(0, connection.RentedBytes);

        await client.SendAsync(Text(30_000), WebSocketMessageType.Text, endOfMessage: true, timeout.Token);
        await client.ReceiveWholeAsync(timeout.Token);

        // The echoed payload's buffer goes back to the pool as the next receive starts its zero-byte wait.
        await Eventually.TrueAsync(() => connection.IsWaitingForData && session.Received.Count == 1, TimeSpan.FromSeconds(5), "reader parked again");
        Assert.Equal(0, connection.RentedBytes);
    }

    private static byte[] Text(int size) => Encoding.ASCII.GetBytes(string.Concat(Enumerable.Range(0, size).Select(i => (char)('a' + (i % 26)))));
}
