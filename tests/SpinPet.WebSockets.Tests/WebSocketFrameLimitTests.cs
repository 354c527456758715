using System.Text;
using SpinPet.WebSockets;

namespace SpinPet.WebSockets.Tests;

/// <summary>
/// The inbound limit counts frames, not only messages: pings, pongs and every fragment take a token, so a flood of
/// control or continuation frames is not free (each ping used to cost a pong). The bucket here never refills.
/// </summary>
public sealed class WebSocketFrameLimitTests : IAsyncLifetime
{
    private const int Burst = 5;

    private EchoServer _server = null!;

    public async ValueTask InitializeAsync() => _server = await EchoServer.StartAsync(frameBurst: Burst);

    public async ValueTask DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Pings_past_the_bucket_are_not_answered_and_empty_it_for_messages()
    {
        using var timeout = TestTimeout.Start();
        await using var client = await RawWebSocketClient.ConnectAsync(_server.Port, timeout.Token);

        for (int i = 0; i < Burst + 3; i++)
        {
            await client.SendFrameAsync(0x89, Encoding.ASCII.GetBytes($"ping {i}"), timeout.Token);
        }
        await client.SendFrameAsync(0x81, "hello"u8.ToArray(), timeout.Token);

        for (int i = 0; i < Burst; i++)
        {
            var pong = await client.ReadFrameAsync(timeout.Token);
            Assert.Equal(WebSocketFrames.OpcodePong, pong.Opcode);
            Assert.Equal($"ping {i}", Encoding.ASCII.GetString(pong.Payload));
        }
        // The three pings past the burst got no pong, and the message after them found the bucket empty.
        var next = await client.ReadFrameAsync(timeout.Token);
        Assert.Equal(WebSocketFrames.OpcodeText, next.Opcode);
        Assert.Equal(EchoServer.RateLimitedError, next.Payload);

        // A close frame takes no token: the close handshake still completes.
        await client.SendCloseAsync(WebSocketCloseCodes.NormalClosure, "bye", timeout.Token);
        var close = await client.ReadFrameAsync(timeout.Token);
        Assert.Equal(WebSocketFrames.OpcodeClose, close.Opcode);
        Assert.Equal(WebSocketCloseCodes.NormalClosure, close.CloseCode);
    }

    [Fact]
    public async Task Every_fragment_takes_a_token_and_a_message_cut_short_by_the_bucket_is_dropped_whole()
    {
        using var timeout = TestTimeout.Start();
        await using var client = await RawWebSocketClient.ConnectAsync(_server.Port, timeout.Token);
        var session = await _server.NextSessionAsync();

        // Burst + 3 fragments of one text message: the 6th finds the bucket empty.
        await client.SendFrameAsync(0x01, "a"u8.ToArray(), timeout.Token);
        for (int i = 1; i < Burst + 2; i++)
        {
            await client.SendFrameAsync(0x00, "b"u8.ToArray(), timeout.Token);
        }
        await client.SendFrameAsync(0x80, "c"u8.ToArray(), timeout.Token);
        // Unsolicited pongs take tokens too (there are none left: only counted).
        await client.SendFrameAsync(0x8A, ReadOnlyMemory<byte>.Empty, timeout.Token);

        var answer = await client.ReadFrameAsync(timeout.Token);
        Assert.Equal(EchoServer.RateLimitedError, answer.Payload);
        await client.SendCloseAsync(WebSocketCloseCodes.NormalClosure, "", timeout.Token);
        Assert.Equal(WebSocketFrames.OpcodeClose, (await client.ReadFrameAsync(timeout.Token)).Opcode);
        var end = await session.EndAsync();
        Assert.Equal(WebSocketMessageKind.Close, end.Kind);
        // Once, for the whole message: its remaining fragments were skipped without another report.
        Assert.Equal([WebSocketMessageKind.RateLimited, WebSocketMessageKind.Close], session.Received);
    }
}
