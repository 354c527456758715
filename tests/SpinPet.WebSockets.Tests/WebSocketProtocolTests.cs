using System.Text;
using SpinPet.WebSockets;

namespace SpinPet.WebSockets.Tests;

/// <summary>Frames ClientWebSocket would never send, written by hand over TCP.</summary>
public sealed class WebSocketProtocolTests : IAsyncLifetime
{
    private EchoServer _server = null!;

    public async ValueTask InitializeAsync() => _server = await EchoServer.StartAsync();

    public async ValueTask DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Ping_is_answered_with_a_pong_carrying_its_payload()
    {
        using var timeout = TestTimeout.Start();
        await using var client = await RawWebSocketClient.ConnectAsync(_server.Port, timeout.Token);

        await client.SendFrameAsync(0x89, "are you there"u8.ToArray(), timeout.Token);
        var pong = await client.ReadFrameAsync(timeout.Token);

        Assert.True(pong.Fin);
        Assert.Equal(WebSocketFrames.OpcodePong, pong.Opcode);
        Assert.Equal("are you there"u8.ToArray(), pong.Payload);
    }

    [Fact]
    public async Task Ping_between_fragments_is_answered_and_the_message_still_arrives_whole()
    {
        using var timeout = TestTimeout.Start();
        await using var client = await RawWebSocketClient.ConnectAsync(_server.Port, timeout.Token);

        await client.SendFrameAsync(0x01, "hello "u8.ToArray(), timeout.Token);    // text, not final
        await client.SendFrameAsync(0x89, "p"u8.ToArray(), timeout.Token);         // ping
        await client.SendFrameAsync(0x00, "wide "u8.ToArray(), timeout.Token);     // continuation, not final
        await client.SendFrameAsync(0x8A, ReadOnlyMemory<byte>.Empty, timeout.Token); // unsolicited pong
        await client.SendFrameAsync(0x80, "world"u8.ToArray(), timeout.Token);     // continuation, final

        var pong = await client.ReadFrameAsync(timeout.Token);
        var echo = await client.ReadFrameAsync(timeout.Token);

        Assert.Equal(WebSocketFrames.OpcodePong, pong.Opcode);
        Assert.Equal("p"u8.ToArray(), pong.Payload);
        Assert.Equal(0x81, echo.First);
        Assert.Equal("hello wide world", Encoding.UTF8.GetString(echo.Payload));
    }

    [Fact]
    public async Task Unmasked_client_frame_is_closed_with_1002()
    {
        using var timeout = TestTimeout.Start();
        await using var client = await RawWebSocketClient.ConnectAsync(_server.Port, timeout.Token);
        var session = await _server.NextSessionAsync();

        await client.SendFrameAsync(0x81, "hello"u8.ToArray(), timeout.Token, masked: false);
        var close = await client.ReadFrameAsync(timeout.Token);

        Assert.Equal(WebSocketFrames.OpcodeClose, close.Opcode);
        Assert.Equal(WebSocketCloseCodes.ProtocolError, close.CloseCode);
        Assert.True(await client.ReadsEndOfStreamAsync(timeout.Token));
        var failure = await Assert.ThrowsAsync<WebSocketProtocolException>(session.EndAsync);
        Assert.Contains("not masked", failure.Message, StringComparison.Ordinal);
        Assert.Equal(WebSocketConnectionState.Aborted, session.Connection.State);
    }

    public static TheoryData<string, byte[][]> Violations => new()
    {
        { "reserved bit", [[0xC1, .. "x"u8]] },
        { "unknown opcode", [[0x83, .. "x"u8]] },
        { "continuation first", [[0x80, .. "x"u8]] },
        { "fragmented ping", [[0x09, .. "x"u8]] },
        { "ping of 126 bytes", [[0x89, .. new byte[126]]] },
        { "text inside a fragmented message", [[0x01, .. "a"u8], [0x81, .. "b"u8]] },
        { "close with a 1-byte payload", [[0x88, 0x03]] },
        { "close with the reserved code 1005", [[0x88, 0x03, 0xED]] },
        { "close with an unassigned code 2000", [[0x88, 0x07, 0xD0]] },
    };

    [Theory]
    [MemberData(nameof(Violations))]
    public async Task Protocol_violation_is_closed_with_1002(string violation, byte[][] frames)
    {
        using var timeout = TestTimeout.Start();
        await using var client = await RawWebSocketClient.ConnectAsync(_server.Port, timeout.Token);
        var session = await _server.NextSessionAsync();

        foreach (byte[] frame in frames)
        {
            await client.SendFrameAsync(frame[0], frame.AsMemory(1), timeout.Token);
        }
        var close = await client.ReadFrameAsync(timeout.Token);

        Assert.True(close.Opcode == WebSocketFrames.OpcodeClose, violation);
        Assert.Equal(WebSocketCloseCodes.ProtocolError, close.CloseCode);
        var failure = await Assert.ThrowsAsync<WebSocketProtocolException>(session.EndAsync);
        Assert.Equal(WebSocketCloseCodes.ProtocolError, failure.CloseCode);
    }

    [Fact]
    public async Task Close_without_a_code_is_answered_with_an_empty_close_and_reported_as_1005()
    {
        using var timeout = TestTimeout.Start();
        await using var client = await RawWebSocketClient.ConnectAsync(_server.Port, timeout.Token);
        var session = await _server.NextSessionAsync();

        await client.SendFrameAsync(0x88, ReadOnlyMemory<byte>.Empty, timeout.Token);
        var close = await client.ReadFrameAsync(timeout.Token);

        Assert.Equal(WebSocketFrames.OpcodeClose, close.Opcode);
        Assert.Empty(close.Payload);
        Assert.True(await client.ReadsEndOfStreamAsync(timeout.Token));
        Assert.Equal(WebSocketCloseCodes.NoStatusReceived, (await session.EndAsync()).CloseCode);
    }

    [Fact]
    public async Task Close_with_invalid_utf8_reason_is_closed_with_1007()
    {
        using var timeout = TestTimeout.Start();
        await using var client = await RawWebSocketClient.ConnectAsync(_server.Port, timeout.Token);

        await client.SendFrameAsync(0x88, new byte[] { 0x03, 0xE8, 0xC3, 0x28 }, timeout.Token);
        var close = await client.ReadFrameAsync(timeout.Token);

        Assert.Equal(WebSocketCloseCodes.InvalidPayloadData, close.CloseCode);
    }

    [Fact]
    public async Task Dropping_tcp_without_a_close_frame_ends_receive_with_1006()
    {
        using var timeout = TestTimeout.Start();
        var client = await RawWebSocketClient.ConnectAsync(_server.Port, timeout.Token);
        var session = await _server.NextSessionAsync();

        await client.DisposeAsync();
        var end = await session.EndAsync();

        Assert.Equal(WebSocketMessageKind.Close, end.Kind);
        Assert.Equal(WebSocketCloseCodes.AbnormalClosure, end.CloseCode);
        Assert.Equal(WebSocketConnectionState.Aborted, session.Connection.State);
    }

    [Fact]
    public void An_abort_after_the_request_ended_does_not_throw_into_the_canceller()
    {
        // A send's or read's registration on the caller's token can fire as the handler returns: the HttpContext is
        // disposed by then and its Abort throws. That must not reach CancellationTokenSource.Cancel (host shutdown).
        var connection = new WebSocketConnection(new MemoryStream(), 1024,
            abortTransport: () => throw new ObjectDisposedException("Collection"));

        connection.Abort();

        Assert.Equal(WebSocketConnectionState.Aborted, connection.State);
    }

    [Fact]
    public async Task Abort_wakes_the_parked_reader_and_drops_the_connection()
    {
        using var timeout = TestTimeout.Start();
        await using var client = await RawWebSocketClient.ConnectAsync(_server.Port, timeout.Token);
        var session = await _server.NextSessionAsync();
        await SpinPet.TestSupport.Eventually.TrueAsync(() => session.Connection.IsWaitingForData, TimeSpan.FromSeconds(5), "reader parked");

        // Disposing Kestrel's upgraded stream alone would leave this zero-byte read parked for good.
        session.Connection.Abort();

        Assert.Equal(WebSocketCloseCodes.AbnormalClosure, (await session.EndAsync()).CloseCode);
        Assert.Equal(WebSocketConnectionState.Aborted, session.Connection.State);
        Assert.True(await client.ReadsEndOfStreamAsync(timeout.Token));
        await Assert.ThrowsAsync<InvalidOperationException>(() => session.Connection.SendTextAsync("x"u8.ToArray(), timeout.Token).AsTask());
    }

    [Fact]
    public async Task Close_after_a_silent_peer_gives_up_within_a_few_seconds()
    {
        using var timeout = TestTimeout.Start();
        await using var client = await RawWebSocketClient.ConnectAsync(_server.Port, timeout.Token);
        var session = await _server.NextSessionAsync();

        // The raw client never answers the close frame: the server waits its 2 s, then drops the connection.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var closing = session.Connection.CloseAsync(WebSocketCloseCodes.GoingAway, "shutting down", timeout.Token);
        var close = await client.ReadFrameAsync(timeout.Token);
        await closing;

        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(1.5), TimeSpan.FromSeconds(10));
        Assert.Equal(WebSocketCloseCodes.GoingAway, close.CloseCode);
        Assert.Equal("shutting down", Encoding.UTF8.GetString(close.Payload.AsSpan(2)));
        Assert.Equal(WebSocketConnectionState.Aborted, session.Connection.State);
        Assert.True(await client.ReadsEndOfStreamAsync(timeout.Token));
        Assert.Equal(WebSocketCloseCodes.AbnormalClosure, (await session.EndAsync()).CloseCode);
    }
}
