using System.Net.WebSockets;
using System.Text;
using Microsoft.Extensions.Primitives;
using SpinPet.TestSupport;
using SpinPet.WebSockets;

namespace SpinPet.WebSockets.Tests;

/// <summary>RFC 7692 permessage-deflate: the payload format, the negotiation, and real clients over sockets.</summary>
public sealed class PerMessageDeflateTests
{
    private const string Offer = "permessage-deflate; client_max_window_bits";
    private const string Answer = "permessage-deflate; server_no_context_takeover; client_no_context_takeover";

    [Fact]
    public void A_compressed_payload_inflates_back_once_the_removed_tail_is_appended()
    {
        byte[] message = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("{\"type\":\"kline_data\",\"open\":2.7959e-8}", 20)));

        byte[] payload = PerMessageDeflate.Compress(message);

        Assert.True(payload.Length < message.Length / 4, $"{payload.Length} bytes for {message.Length}");
        Assert.Equal(message, ClientInflater.Inflate(payload));
    }

    [Theory]
    [InlineData(4)]         // "null"
    [InlineData(9)]         // "\"sub_1\""
    [InlineData(70_000)]    // over one stored block
    public void Shared_parts_around_a_stored_subscription_id_are_one_valid_payload(int idLength)
    {
        byte[] prefix = "{\"type\":\"kline_data\",\"data\":{\"symbol\":\"81WZbeJwfo9mTBRZsBqaUBWa2jeRKH2LQi54uwXdZYoa\",\"subscription_id\":"u8.ToArray();
        byte[] id = Encoding.UTF8.GetBytes(new string('i', idLength));
        byte[] suffix = ",\"data\":{\"time\":1764062401,\"open\":2.7959e-8,\"close\":2.8001e-8},\"timestamp\":1764062401212},\"timestamp\":1764062401212}"u8.ToArray();

        byte[] payload = [.. PerMessageDeflate.Compress(prefix), .. PerMessageDeflate.StoredBlock(id), .. PerMessageDeflate.Compress(suffix)];

        Assert.Equal([.. prefix, .. id, .. suffix], ClientInflater.Inflate(payload));
    }

    [Theory]
    [InlineData(true, true)]
    [InlineData(true, false)]     // the piece begins the message (a greeting's own head before the shared list)
    [InlineData(false, true)]     // the piece ends it
    public void A_splice_is_its_shared_parts_compressed_once_around_a_stored_piece(bool withPrefix, bool withSuffix)
    {
        byte[] shared = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, 100).Select(i => $"\"81WZbeJwfo9mTBRZsBqaUBWa2jeRKH2LQi54uwX{i:D5}\",")));
        byte[] prefix = withPrefix ? shared : [];
        byte[] suffix = withSuffix ? shared : [];
        byte[] piece = "{\"type\":\"connection_success\",\"client_id\":\"5f0c0000-0000-4000-8000-000000000000\""u8.ToArray();

        var splice = DeflatedSplice.Create(prefix, suffix);
        byte[] payload = [.. splice.Prefix, .. PerMessageDeflate.StoredBlock(piece), .. splice.Suffix];

        Assert.True(splice.IsSmaller);
        Assert.True(payload.Length < prefix.Length + piece.Length + suffix.Length);
        Assert.Equal([.. prefix, .. piece, .. suffix], ClientInflater.Inflate(payload));
        if (!withPrefix)
        {
            // Nothing compressed before the piece: its stored block's header byte (BFINAL 0, BTYPE 00) opens the message.
            Assert.Equal([0x00], splice.Prefix);
        }
    }

    [Fact]
    public void A_splice_that_compression_would_not_shrink_is_sent_plain()
    {
        var splice = DeflatedSplice.Create("{\"a\":"u8, "}"u8);

        Assert.False(splice.IsSmaller);
        Assert.Empty(splice.Prefix);
        Assert.Empty(splice.Suffix);
    }

    [Theory]
    [InlineData("permessage-deflate", Answer)]
    [InlineData("permessage-deflate; client_max_window_bits", Answer)]
    [InlineData("Permessage-Deflate; Client_Max_Window_Bits=10; client_no_context_takeover", Answer)]
    [InlineData("permessage-deflate; client_max_window_bits=15; server_max_window_bits=15", Answer + "; server_max_window_bits=15")]
    [InlineData("permessage-deflate; server_no_context_takeover", Answer)]
    [InlineData("permessage-deflate; client_max_window_bits=\"12\"", Answer)]
    [InlineData("x-webkit-deflate-frame, permessage-deflate", Answer)]
    [InlineData("permessage-deflate; server_max_window_bits=10, permessage-deflate", Answer)] // first offer declined
    [InlineData("permessage-deflate; server_max_window_bits=10", null)]                      // we always use 15 bits
    [InlineData("permessage-deflate; server_max_window_bits", null)]                         // the value is required
    [InlineData("permessage-deflate; client_max_window_bits=16", null)]
    [InlineData("permessage-deflate; client_max_window_bits=08", null)]
    [InlineData("permessage-deflate; server_no_context_takeover=1", null)]
    [InlineData("permessage-deflate; server_no_context_takeover; server_no_context_takeover", null)]
    [InlineData("permessage-deflate; mystery", null)]
    [InlineData("x-webkit-deflate-frame", null)]
    [InlineData("permessage-deflate; client_max_window_bits=\"1", null)]                    // unterminated quote
    [InlineData("permessage-deflate;; client_max_window_bits", null)]                       // empty parameter
    [InlineData("permessage-deflate, ;", null)]                                            // malformed after a good offer
    [InlineData("", null)]
    public void Offers_are_accepted_only_for_what_is_implemented(string header, string? expected)
    {
        bool accepted = PerMessageDeflateNegotiation.TryNegotiate(header, out string? response);

        Assert.Equal(expected is not null, accepted);
        Assert.Equal(expected, response);
    }

    [Fact]
    public void Offers_over_several_header_lines_are_read_in_order()
    {
        var header = new StringValues(["foo; bar=1", "permessage-deflate; server_max_window_bits=15"]);

        Assert.True(PerMessageDeflateNegotiation.TryNegotiate(header, out string? response));
        Assert.Equal(Answer + "; server_max_window_bits=15", response);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ClientWebSocket_with_deflate_round_trips_compressed_messages(bool clientContextTakeover)
    {
        await using var server = await EchoServer.StartAsync(deflate: true);
        using var timeout = TestTimeout.Start();
        using var client = new ClientWebSocket();
        client.Options.DangerousDeflateOptions = new WebSocketDeflateOptions { ClientContextTakeover = clientContextTakeover };
        client.Options.CollectHttpResponseDetails = true;
        await client.ConnectAsync(server.WebSocketUri, timeout.Token);
        var session = await server.NextSessionAsync();

        Assert.True(session.Connection.IsDeflateNegotiated);
        Assert.StartsWith(Answer, client.HttpResponseHeaders!["Sec-WebSocket-Extensions"].Single(), StringComparison.Ordinal);
        // Repetitive messages: with the client's context taken over, later ones would reference earlier ones.
        for (int i = 0; i < 5; i++)
        {
            string text = $"{{\"msg_type\":\"subscribe\",\"n\":{i},\"pad\":\"{new string('x', 100 * i)}\"}}";
            await client.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, timeout.Token);
            Assert.Equal(text, await ReceiveTextAsync(client, timeout.Token));
        }
        // The largest message allowed, inflated, still fits.
        string largest = new('y', EchoServer.MaxMessageBytes);
        await client.SendAsync(Encoding.UTF8.GetBytes(largest), WebSocketMessageType.Text, true, timeout.Token);
        Assert.Equal(largest, await ReceiveTextAsync(client, timeout.Token));
        await client.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", timeout.Token);
    }

    [Fact]
    public async Task A_compressed_frame_goes_out_with_rsv1_and_a_payload_the_client_can_inflate()
    {
        await using var server = await EchoServer.StartAsync(deflate: true);
        using var timeout = TestTimeout.Start();
        await using var client = await RawWebSocketClient.ConnectAsync(server.Port, timeout.Token, Offer);
        Assert.Equal(Answer, client.Handshake.Headers["Sec-WebSocket-Extensions"]);

        byte[] message = "{\"msg_type\":\"ping\",\"padding\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}"u8.ToArray();
        await client.SendFrameAsync(0xC1, PerMessageDeflate.Compress(message), timeout.Token); // FIN, RSV1, text
        var echo = await client.ReadFrameAsync(timeout.Token);

        Assert.True(echo.Compressed);
        Assert.Equal(WebSocketFrames.OpcodeText, echo.Opcode);
        Assert.Equal(message, ClientInflater.Inflate(echo.Payload));
    }

    [Fact]
    public async Task A_fragmented_compressed_message_is_inflated_whole()
    {
        await using var server = await EchoServer.StartAsync(deflate: true);
        using var timeout = TestTimeout.Start();
        await using var client = await RawWebSocketClient.ConnectAsync(server.Port, timeout.Token, Offer);
        byte[] message = Encoding.UTF8.GetBytes("{\"msg_type\":\"history\",\"symbol\":\"" + new string('z', 300) + "\"}");
        byte[] payload = PerMessageDeflate.Compress(message);

        await client.SendFrameAsync(0x41, payload.AsMemory(0, 3), timeout.Token);   // RSV1 on the first frame only
        await client.SendFrameAsync(0x80, payload.AsMemory(3), timeout.Token);
        var echo = await client.ReadFrameAsync(timeout.Token);

        Assert.Equal(message, ClientInflater.Inflate(echo.Payload));
    }

    [Fact]
    public async Task A_zip_bomb_is_refused_as_too_large_once_inflated()
    {
        await using var server = await EchoServer.StartAsync(deflate: true);
        using var timeout = TestTimeout.Start();
        await using var client = await RawWebSocketClient.ConnectAsync(server.Port, timeout.Token, Offer);
        var session = await server.NextSessionAsync();
        // 1 MiB of zeros deflates to about 1 KiB: far under the 64 KiB wire limit, 16 times over it inflated.
        byte[] bomb = PerMessageDeflate.Compress(new byte[1 << 20]);
        Assert.True(bomb.Length < 2048, $"{bomb.Length} bytes");

        await client.SendFrameAsync(0xC1, bomb, timeout.Token);
        var error = await client.ReadFrameAsync(timeout.Token);
        var close = await client.ReadFrameAsync(timeout.Token);

        Assert.Equal(EchoServer.TooLargeError, error.Payload);
        Assert.Equal(WebSocketFrames.OpcodeClose, close.Opcode);
        Assert.Equal(WebSocketCloseCodes.MessageTooBig, close.CloseCode);
        Assert.Equal(WebSocketMessageKind.TooLarge, (await session.EndAsync()).Kind);
        Assert.Equal(0, session.Connection.RentedBytes);
    }

    [Theory]
    [InlineData(0x89, "RSV1 set on a control frame")]       // ping with RSV1
    [InlineData(0xE1, "reserved bits")]                      // RSV1 and RSV2
    public async Task Rsv1_on_a_control_frame_and_rsv2_are_closed_with_1002(byte first, string reason)
    {
        await using var server = await EchoServer.StartAsync(deflate: true);
        using var timeout = TestTimeout.Start();
        await using var client = await RawWebSocketClient.ConnectAsync(server.Port, timeout.Token, Offer);

        await client.SendFrameAsync((byte)(first | 0x40), "x"u8.ToArray(), timeout.Token);
        var close = await client.ReadFrameAsync(timeout.Token);

        Assert.Equal(WebSocketCloseCodes.ProtocolError, close.CloseCode);
        Assert.Contains(reason, Encoding.UTF8.GetString(close.Payload.AsSpan(2)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Data_that_is_not_deflate_is_closed_with_1007()
    {
        await using var server = await EchoServer.StartAsync(deflate: true);
        using var timeout = TestTimeout.Start();
        await using var client = await RawWebSocketClient.ConnectAsync(server.Port, timeout.Token, Offer);

        await client.SendFrameAsync(0xC1, new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF }, timeout.Token);
        var close = await client.ReadFrameAsync(timeout.Token);

        Assert.Equal(WebSocketCloseCodes.InvalidPayloadData, close.CloseCode);
    }

    [Fact]
    public async Task A_client_that_offers_nothing_gets_plain_frames_and_rsv1_from_it_is_a_protocol_error()
    {
        await using var server = await EchoServer.StartAsync(deflate: true);
        using var timeout = TestTimeout.Start();
        await using var client = await RawWebSocketClient.ConnectAsync(server.Port, timeout.Token);
        var session = await server.NextSessionAsync();

        Assert.False(client.Handshake.Headers.ContainsKey("Sec-WebSocket-Extensions"));
        Assert.False(session.Connection.IsDeflateNegotiated);
        await client.SendFrameAsync(0x81, "plain"u8.ToArray(), timeout.Token);
        var echo = await client.ReadFrameAsync(timeout.Token);
        Assert.Equal(0x81, echo.First);
        Assert.Equal("plain"u8.ToArray(), echo.Payload);

        await client.SendFrameAsync(0xC1, PerMessageDeflate.Compress("plain"u8), timeout.Token);
        Assert.Equal(WebSocketCloseCodes.ProtocolError, (await client.ReadFrameAsync(timeout.Token)).CloseCode);
    }

    [Fact]
    public async Task With_deflate_disabled_an_offer_is_never_answered()
    {
        await using var server = await EchoServer.StartAsync(deflate: false);
        using var timeout = TestTimeout.Start();
        await using var client = await RawWebSocketClient.ConnectAsync(server.Port, timeout.Token, Offer);
        var session = await server.NextSessionAsync();

        Assert.False(client.Handshake.Headers.ContainsKey("Sec-WebSocket-Extensions"));
        Assert.False(session.Connection.IsDeflateNegotiated);
    }

    private static async Task<string> ReceiveTextAsync(ClientWebSocket client, CancellationToken ct)
    {
        var buffer = new byte[EchoServer.MaxMessageBytes + 1024];
        int length = 0;
        while (true)
        {
            var result = await client.ReceiveAsync(buffer.AsMemory(length), ct);
            Assert.Equal(WebSocketMessageType.Text, result.MessageType);
            length += result.Count;
            if (result.EndOfMessage)
            {
                return Encoding.UTF8.GetString(buffer, 0, length);
            }
        }
    }
}
