using System.Buffers;
using System.Text;
using SpinPet.WebSockets;

namespace SpinPet.WebSockets.Tests;

/// <summary>
/// What <see cref="UpgradeRequestReader"/> takes, leaves or waits on: it may only take what it fully vouches for, and
/// must say "not ours" as early as the bytes allow so other requests reach the HTTP stack without delay.
/// </summary>
public sealed class UpgradeRequestReaderTests
{
    private const string Key = "dGhlIHNhbXBsZSBub25jZQ==";

    // RFC 6455 section 1.3's example key and its accept value.
    private const string Accept = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

    private static string Request(string target = "/ws", string? extra = null, string host = "localhost:8080") =>
        $"GET {target} HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + $"Sec-WebSocket-Key: {Key}\r\nSec-WebSocket-Version: 13\r\n{extra}\r\n";

    private static UpgradeRequestVerdict Read(string text, out UpgradeRequest? request) =>
        UpgradeRequestReader.Read(new ReadOnlySequence<byte>(Encoding.Latin1.GetBytes(text)), "/ws"u8, out request);

    [Fact]
    public void A_plain_upgrade_is_taken_with_what_the_answer_needs()
    {
        string text = Request(extra: "Origin: http://localhost:8080\r\n");
        Assert.Equal(UpgradeRequestVerdict.Taken, Read(text + "\x81\x85", out var request));
        Assert.NotNull(request);
        Assert.Equal("/ws", request.Target);
        Assert.Equal("localhost:8080", request.Host);
        Assert.Equal("http://localhost:8080", request.Origin);
        Assert.Equal(Accept, request.AcceptKey);
        Assert.Null(request.Extensions);
        // The head ends at its blank line; what follows (a frame sent early) is left for the connection.
        Assert.Equal(text.Length, request.HeadLength);
    }

    [Fact]
    public void What_browsers_and_common_clients_send_is_taken()
    {
        // Chrome's upgrade, header for header (names in its case, a cookie, the deflate offer).
        string chrome = "GET /ws HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nConnection: Upgrade\r\nPragma: no-cache\r\n"
            + "Cache-Control: no-cache\r\nUser-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36\r\n"
            + "Upgrade: websocket\r\nOrigin: http://127.0.0.1:8080\r\nSec-WebSocket-Version: 13\r\nAccept-Encoding: gzip, deflate, br, zstd\r\n"
            + "Accept-Language: en-US,en;q=0.9\r\nCookie: a=b; c=d\r\n"
            + $"Sec-WebSocket-Key: {Key}\r\nSec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\r\n";
        Assert.Equal(UpgradeRequestVerdict.Taken, Read(chrome, out var request));
        Assert.Equal("permessage-deflate; client_max_window_bits", request!.Extensions);
        // Firefox: "Connection: keep-alive, Upgrade"; lower-case names (Node's ws, HTTP/2-style proxies).
        string firefox = $"GET /ws?x=1 HTTP/1.1\r\nhost: [::1]:80\r\nconnection: keep-alive, Upgrade\r\nupgrade: WebSocket\r\n"
            + $"sec-websocket-version: 13\r\nsec-websocket-key: {Key}\r\n\r\n";
        Assert.Equal(UpgradeRequestVerdict.Taken, Read(firefox, out request));
        Assert.Equal("/ws?x=1", request!.Target);
        Assert.Equal("[::1]:80", request.Host);
    }

    [Fact]
    public void Repeated_extension_fields_are_one_list()
    {
        Assert.Equal(UpgradeRequestVerdict.Taken,
            Read(Request(extra: "Sec-WebSocket-Extensions: x-one\r\nSec-WebSocket-Extensions: permessage-deflate\r\n"), out var request));
        Assert.Equal("x-one, permessage-deflate", request!.Extensions);
    }

    [Fact]
    public void Every_cut_of_the_request_waits_for_more_until_the_head_is_whole()
    {
        byte[] bytes = Encoding.ASCII.GetBytes(Request());
        for (int cut = 0; cut < bytes.Length; cut++)
        {
            Assert.Equal(UpgradeRequestVerdict.NeedMore, UpgradeRequestReader.Read(new ReadOnlySequence<byte>(bytes, 0, cut), "/ws"u8, out _));
        }
        // The same bytes in two segments at every cut (a head that spans the pipe's buffers) are taken alike.
        for (int cut = 1; cut < bytes.Length; cut++)
        {
            Assert.Equal(UpgradeRequestVerdict.Taken, UpgradeRequestReader.Read(TwoSegments(bytes, cut), "/ws"u8, out var request));
            Assert.Equal(bytes.Length, request!.HeadLength);
        }
    }

    [Theory]
    [InlineData("P")]
    [InlineData("GET /api/kline HTTP/1.1\r\n")]
    [InlineData("GET /wsx")]
    [InlineData("GET /ws/")]
    [InlineData("GET /WS ")]
    [InlineData("get /ws ")]
    [InlineData("PRI * HTTP/2.0\r\n")]
    public void Another_request_is_not_taken_from_its_first_telling_byte(string start)
    {
        Assert.Equal(UpgradeRequestVerdict.NotTaken, Read(start, out var request));
        Assert.Null(request);
    }

    [Theory]
    [InlineData("GET /ws HTTP/1.0\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + Key + "\r\nSec-WebSocket-Version: 13\r\n\r\n")]
    [InlineData("GET /ws  HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + Key + "\r\nSec-WebSocket-Version: 13\r\n\r\n")]
    [InlineData("GET /ws#f HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + Key + "\r\nSec-WebSocket-Version: 13\r\n\r\n")]
    [InlineData("GET /ws HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + Key + "\r\nSec-WebSocket-Version: 13\r\n\r\n")]
    [InlineData("GET /ws HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + Key + "\r\nSec-WebSocket-Version: 13\r\n\r\n")]
    [InlineData("GET /ws HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: keep-alive\r\nSec-WebSocket-Key: " + Key + "\r\nSec-WebSocket-Version: 13\r\n\r\n")]
    [InlineData("GET /ws HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + Key + "\r\nSec-WebSocket-Version: 8\r\n\r\n")]
    [InlineData("GET /ws HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: c2hvcnQ=\r\nSec-WebSocket-Version: 13\r\n\r\n")]
    [InlineData("GET /ws HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n\r\n")]
    public void An_upgrade_the_HTTP_stack_would_refuse_is_left_to_it(string text) =>
        Assert.Equal(UpgradeRequestVerdict.NotTaken, Read(text, out _));

    [Theory]
    [InlineData("Host: b\r\n")] // two Hosts
    [InlineData("Sec-WebSocket-Key: " + Key + "\r\n")] // two keys
    [InlineData("Sec-WebSocket-Version: 13\r\n")] // two versions
    [InlineData("Origin: http://a\r\nOrigin: http://b\r\n")]
    [InlineData("Content-Length: 0\r\n")] // a body, even an empty one, is the HTTP stack's
    [InlineData("Transfer-Encoding: chunked\r\n")]
    [InlineData("X-Folded: a\r\n b\r\n")] // obs-fold
    [InlineData("X-Space : a\r\n")] // space before the colon
    [InlineData(": a\r\n")] // no name
    [InlineData("X-No-Colon\r\n")]
    [InlineData("X-Bare: a\nb\r\n")] // a lone LF inside a line
    [InlineData("X-Cr: a\rb\r\n")]
    [InlineData("X-Nul: a\0b\r\n")]
    [InlineData("X-Latin: caf\u00e9\r\n")] // obs-text
    public void A_header_block_with_anything_unusual_is_left_to_the_HTTP_stack(string extra) =>
        Assert.Equal(UpgradeRequestVerdict.NotTaken, Read(Request(extra: extra), out _));

    [Theory]
    [InlineData("")]
    [InlineData("a b")]
    [InlineData("a/b")]
    [InlineData("a@b")]
    public void An_unusual_host_is_left_to_the_HTTP_stack(string host) =>
        Assert.Equal(UpgradeRequestVerdict.NotTaken, Read(Request(host: host), out _));

    [Fact]
    public void A_head_longer_than_the_bound_is_left_to_the_HTTP_stack_and_one_within_it_is_taken()
    {
        string fits = Request(extra: $"Cookie: {new string('c', UpgradeRequestReader.MaxHeadBytes - 300)}\r\n");
        Assert.Equal(UpgradeRequestVerdict.Taken, Read(fits, out _));
        string tooLong = Request(extra: $"Cookie: {new string('c', UpgradeRequestReader.MaxHeadBytes)}\r\n");
        Assert.Equal(UpgradeRequestVerdict.NotTaken, Read(tooLong, out _));
        // Unfinished but already past the bound: no point waiting.
        Assert.Equal(UpgradeRequestVerdict.NotTaken, Read(tooLong[..(UpgradeRequestReader.MaxHeadBytes + 10)], out _));
    }

    [Fact]
    public void More_than_64_header_lines_are_left_to_the_HTTP_stack()
    {
        var many = new StringBuilder();
        for (int i = 0; i < 64; i++)
        {
            many.Append("X-").Append(i).Append(": 1\r\n");
        }
        Assert.Equal(UpgradeRequestVerdict.NotTaken, Read(Request(extra: many.ToString()), out _));
        Assert.Equal(UpgradeRequestVerdict.Taken, Read(Request(extra: "X-1: 1\r\n"), out _));
    }

    [Fact]
    public void The_answer_carries_the_accept_key_and_the_negotiated_extension()
    {
        string plain = Encoding.ASCII.GetString(WebSocketHandshake.SwitchingProtocols(Accept, null));
        Assert.Equal($"HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Accept: {Accept}\r\n\r\n", plain);
        string deflate = Encoding.ASCII.GetString(WebSocketHandshake.SwitchingProtocols(Accept, "permessage-deflate"));
        Assert.EndsWith("\r\nSec-WebSocket-Extensions: permessage-deflate\r\n\r\n", deflate, StringComparison.Ordinal);
    }

    private static ReadOnlySequence<byte> TwoSegments(byte[] bytes, int cut)
    {
        var first = new Segment(bytes.AsMemory(0, cut), 0);
        var second = first.Append(bytes.AsMemory(cut));
        return new ReadOnlySequence<byte>(first, 0, second, second.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
