using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;
using SpinPet.WebSockets;

namespace SpinPet.WebSockets.Tests;

/// <summary>
/// A hand-made WebSocket client over TcpClient, for what ClientWebSocket refuses to send: unmasked frames, reserved
/// bits, bad opcodes, pings, broken fragmentation. Also sends raw HTTP requests for handshake refusals.
/// </summary>
internal sealed class RawWebSocketClient : IAsyncDisposable
{
    public const string SampleKey = "dGhlIHNhbXBsZSBub25jZQ==";

    private static readonly byte[] MaskKey = [0x37, 0xFA, 0x21, 0x3D];

    private readonly TcpClient _tcp;
    private readonly NetworkStream _stream;

    private RawWebSocketClient(TcpClient tcp)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
    }

    /// <summary>The 101 response head of the handshake.</summary>
    public RawHttpResponse Handshake { get; private set; } = null!;

    /// <summary>
    /// Connects and completes the opening handshake (asserting a correct 101), offering
    /// <paramref name="extensions"/> as <c>Sec-WebSocket-Extensions</c> when given.
    /// </summary>
    public static async Task<RawWebSocketClient> ConnectAsync(int port, CancellationToken ct, string? extensions = null)
    {
        var client = new RawWebSocketClient(await ConnectTcpAsync(port, ct));
        string request = UpgradeRequest(port, SampleKey);
        if (extensions is not null)
        {
            request = request[..^2] + $"Sec-WebSocket-Extensions: {extensions}\r\n\r\n";
        }
        await client.WriteAsync(request, ct);
        client.Handshake = await client.ReadHeadAsync(ct);
        Assert.Equal(101, client.Handshake.Status);
        Assert.Equal("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", client.Handshake.Headers["Sec-WebSocket-Accept"]);
        return client;
    }

    /// <summary>Sends one HTTP request on a fresh connection and reads the response head and Content-Length body.</summary>
    public static async Task<RawHttpResponse> SendRequestAsync(int port, string request, CancellationToken ct)
    {
        await using var client = new RawWebSocketClient(await ConnectTcpAsync(port, ct));
        await client.WriteAsync(request, ct);
        var head = await client.ReadHeadAsync(ct);
        int length = head.Headers.TryGetValue("Content-Length", out string? value) ? int.Parse(value, System.Globalization.CultureInfo.InvariantCulture) : 0;
        byte[] body = new byte[length];
        await client._stream.ReadExactlyAsync(body, ct);
        return head with { Body = Encoding.UTF8.GetString(body) };
    }

    public static string UpgradeRequest(int port, string key, string version = "13", string method = "GET") =>
        $"{method} /ws HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n" +
        $"Sec-WebSocket-Version: {version}\r\nSec-WebSocket-Key: {key}\r\n\r\n";

    /// <summary>Sends a frame with the given first byte (FIN, RSV and opcode bits) and a masked (or not) payload.</summary>
    public Task SendFrameAsync(byte first, ReadOnlyMemory<byte> payload, CancellationToken ct, bool masked = true) =>
        SendRawAsync(EncodeFrame(first, payload, masked), ct);

    /// <summary>Writes bytes as they are: a frame, or a part of one.</summary>
    public async Task SendRawAsync(ReadOnlyMemory<byte> bytes, CancellationToken ct) => await _stream.WriteAsync(bytes, ct);

    /// <summary>A client frame's bytes: header (with a 16- or 64-bit length when needed), masking key, payload.</summary>
    public static byte[] EncodeFrame(byte first, ReadOnlyMemory<byte> payload, bool masked = true)
    {
        var frame = new List<byte> { first };
        byte maskBit = masked ? (byte)0x80 : (byte)0;
        if (payload.Length <= 125)
        {
            frame.Add((byte)(maskBit | payload.Length));
        }
        else if (payload.Length <= ushort.MaxValue)
        {
            frame.Add((byte)(maskBit | 126));
            frame.Add((byte)(payload.Length >> 8));
            frame.Add((byte)payload.Length);
        }
        else
        {
            frame.Add((byte)(maskBit | 127));
            byte[] length = new byte[8];
            BinaryPrimitives.WriteUInt64BigEndian(length, (ulong)payload.Length);
            frame.AddRange(length);
        }

        byte[] body = payload.ToArray();
        if (masked)
        {
            frame.AddRange(MaskKey);
            for (int i = 0; i < body.Length; i++)
            {
                body[i] ^= MaskKey[i & 3];
            }
        }
        frame.AddRange(body);
        return [.. frame];
    }

    public Task SendCloseAsync(ushort code, string reason, CancellationToken ct)
    {
        byte[] payload = new byte[2 + Encoding.UTF8.GetByteCount(reason)];
        BinaryPrimitives.WriteUInt16BigEndian(payload, code);
        Encoding.UTF8.GetBytes(reason, payload.AsSpan(2));
        return SendFrameAsync(0x88, payload, ct);
    }

    /// <summary>Reads one server frame; asserts it is unmasked as RFC 6455 requires of servers.</summary>
    public async Task<ServerFrame> ReadFrameAsync(CancellationToken ct)
    {
        byte[] start = new byte[2];
        await _stream.ReadExactlyAsync(start, ct);
        Assert.Equal(0, start[1] & 0x80);
        long length = start[1] & 0x7F;
        if (length == 126)
        {
            byte[] extended = new byte[2];
            await _stream.ReadExactlyAsync(extended, ct);
            length = BinaryPrimitives.ReadUInt16BigEndian(extended);
        }
        else if (length == 127)
        {
            byte[] extended = new byte[8];
            await _stream.ReadExactlyAsync(extended, ct);
            length = (long)BinaryPrimitives.ReadUInt64BigEndian(extended);
        }
        byte[] payload = new byte[length];
        await _stream.ReadExactlyAsync(payload, ct);
        return new ServerFrame(start[0], payload);
    }

    /// <summary>True when the server closed the TCP connection (end of stream, or a reset after it).</summary>
    public async Task<bool> ReadsEndOfStreamAsync(CancellationToken ct)
    {
        try
        {
            return await _stream.ReadAsync(new byte[1], ct) == 0;
        }
        catch (IOException)
        {
            return true;
        }
    }

    public ValueTask DisposeAsync()
    {
        _stream.Dispose();
        _tcp.Dispose();
        return default;
    }

    private static async Task<TcpClient> ConnectTcpAsync(int port, CancellationToken ct)
    {
        var tcp = new TcpClient();
        try
        {
            await tcp.ConnectAsync("127.0.0.1", port, ct);
            return tcp;
        }
        catch
        {
            tcp.Dispose();
            throw;
        }
    }

    private async Task WriteAsync(string text, CancellationToken ct) => await _stream.WriteAsync(Encoding.ASCII.GetBytes(text), ct);

    /// <summary>Reads the response head byte by byte so no frame byte after it is consumed.</summary>
    private async Task<RawHttpResponse> ReadHeadAsync(CancellationToken ct)
    {
        var head = new StringBuilder();
        byte[] one = new byte[1];
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            await _stream.ReadExactlyAsync(one, ct);
            head.Append((char)one[0]);
        }

        string[] lines = head.ToString().Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        int status = int.Parse(lines[0].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (string line in lines.Skip(1))
        {
            int colon = line.IndexOf(':', StringComparison.Ordinal);
            headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
        }
        return new RawHttpResponse(status, headers, string.Empty, head.ToString());
    }
}

internal sealed record RawHttpResponse(int Status, Dictionary<string, string> Headers, string Body, string Head);

/// <summary>A frame as the server sent it.</summary>
internal sealed record ServerFrame(byte First, byte[] Payload)
{
    public bool Fin => (First & 0x80) != 0;

    public int Opcode => First & 0x0F;

    /// <summary>RSV1: a permessage-deflate compressed message.</summary>
    public bool Compressed => (First & 0x40) != 0;

    public ushort CloseCode => Payload.Length >= 2 ? BinaryPrimitives.ReadUInt16BigEndian(Payload) : WebSocketCloseCodes.NoStatusReceived;
}
