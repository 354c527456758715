using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace SpinPet.EndToEnd.Tests.Harness;

/// <summary>
/// A WebSocket client that upgrades, sends requests and then never reads again, with a tiny receive buffer: the
/// slow consumer a server must survive.
/// </summary>
internal sealed class StalledClient : IDisposable
{
    private readonly TcpClient _tcp;
    private readonly NetworkStream _stream;

    private StalledClient(TcpClient tcp)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
    }

    public bool Connected => _tcp.Connected;

    public string ResponseHead { get; private set; } = "";

    /// <summary>True once the server closed the connection (a read returns end of stream or fails).</summary>
    public async Task<bool> IsClosedByServerAsync(TimeSpan wait)
    {
        var buffer = new byte[64 * 1024];
        using var timeout = new CancellationTokenSource(wait);
        try
        {
            while (await _stream.ReadAsync(buffer, timeout.Token) > 0)
            {
            }
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        catch (IOException)
        {
            return true;
        }
    }

    /// <summary>
    /// Reads the server's frames (everything it queued meanwhile) up to its close frame and returns the close code;
    /// null when the connection ended without one (aborted) or nothing ended within <paramref name="wait"/>.
    /// </summary>
    public async Task<int?> ReadCloseCodeAsync(TimeSpan wait)
    {
        using var timeout = new CancellationTokenSource(wait);
        try
        {
            while (true)
            {
                var header = await ReadExactlyAsync(2, timeout.Token);
                long length = header[1] & 0x7F;
                if (length == 126)
                {
                    var extended = await ReadExactlyAsync(2, timeout.Token);
                    length = (extended[0] << 8) | extended[1];
                }
                else if (length == 127)
                {
                    var extended = await ReadExactlyAsync(8, timeout.Token);
                    length = (long)System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(extended);
                }
                // Server frames are never masked.
                var payload = await ReadExactlyAsync((int)length, timeout.Token);
                if ((header[0] & 0x0F) == 0x8)
                {
                    return payload.Length >= 2 ? (payload[0] << 8) | payload[1] : null;
                }
            }
        }
        catch (Exception ex) when (ex is EndOfStreamException or IOException or OperationCanceledException)
        {
            return null;
        }
    }

    /// <summary>Reads the server's next frame: its opcode and payload (for a client that does read after all).</summary>
    public async Task<(int Opcode, byte[] Payload)> ReadFrameAsync(TimeSpan wait)
    {
        using var timeout = new CancellationTokenSource(wait);
        var header = await ReadExactlyAsync(2, timeout.Token);
        long length = header[1] & 0x7F;
        if (length == 126)
        {
            var extended = await ReadExactlyAsync(2, timeout.Token);
            length = (extended[0] << 8) | extended[1];
        }
        else if (length == 127)
        {
            var extended = await ReadExactlyAsync(8, timeout.Token);
            length = (long)System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(extended);
        }
        return (header[0] & 0x0F, await ReadExactlyAsync((int)length, timeout.Token));
    }

    private async Task<byte[]> ReadExactlyAsync(int count, CancellationToken ct)
    {
        var buffer = new byte[count];
        await _stream.ReadExactlyAsync(buffer, ct);
        return buffer;
    }

    /// <param name="localAddress">The loopback source address to connect from (another "client IP").</param>
    /// <param name="target">The request target of the upgrade (<c>/socket.io/?EIO=4&amp;transport=websocket</c> for Engine.IO).</param>
    public static async Task<StalledClient> ConnectAsync(Uri server, string localAddress = "127.0.0.1", string? origin = null, string target = "/ws")
    {
        var tcp = new TcpClient(new IPEndPoint(IPAddress.Parse(localAddress), 0)) { ReceiveBufferSize = 4096 };
        await tcp.ConnectAsync(server.Host, server.Port);
        var client = new StalledClient(tcp);
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
        var request = $"GET {target} HTTP/1.1\r\nHost: {server.Authority}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
                      (origin is null ? "" : $"Origin: {origin}\r\n") +
                      $"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n";
        await client._stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        // Read the 101 response head byte by byte so nothing after it is consumed.
        var head = new StringBuilder();
        var one = new byte[1];
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            if (await client._stream.ReadAsync(one) == 0)
            {
                throw new IOException("closed during the handshake: " + head);
            }
            head.Append((char)one[0]);
        }
        client.ResponseHead = head.ToString();
        if (!client.ResponseHead.StartsWith("HTTP/1.1 101", StringComparison.Ordinal))
        {
            client.Dispose();
            throw new UpgradeRefusedException(client.ResponseHead);
        }
        return client;
    }

    /// <summary>Sends one masked text frame (clients must mask).</summary>
    public Task SendAsync(string text) => SendFrameAsync(0x81, Encoding.UTF8.GetBytes(text));

    /// <summary>
    /// Sends one masked frame with the given first byte (FIN and opcode: 0x89 a ping, 0x01 the first fragment of a
    /// text message, 0x00 a continuation, 0x80 the final one) and a payload under 64 KiB.
    /// </summary>
    public async Task SendFrameAsync(byte first, byte[] payload)
    {
        var frame = new List<byte> { first };
        if (payload.Length < 126)
        {
            frame.Add((byte)(0x80 | payload.Length));
        }
        else
        {
            frame.Add(0x80 | 126);
            frame.Add((byte)(payload.Length >> 8));
            frame.Add((byte)payload.Length);
        }
        var mask = RandomNumberGenerator.GetBytes(4);
        frame.AddRange(mask);
        for (int i = 0; i < payload.Length; i++)
        {
            frame.Add((byte)(payload[i] ^ mask[i % 4]));
        }
        await _stream.WriteAsync(frame.ToArray());
    }

    public void Dispose() => _tcp.Dispose();
}

internal sealed class UpgradeRefusedException(string responseHead) : IOException("upgrade refused: " + responseHead)
{
    public string ResponseHead { get; } = responseHead;
}
