using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace SpinPet.LoadGen;

/// <summary>
/// One client WebSocket on a raw <see cref="Socket"/>: hand-made HTTP upgrade, masked client frames, and a receive
/// loop that cuts server frames (unmasked) out of one growing buffer and hands complete text messages to a
/// callback. Pings are answered with pongs; a close frame ends the loop. Fragmented messages are not expected from
/// the servers under test and are counted as errors.
/// </summary>
internal sealed class WsConnection : IDisposable
{
    private readonly Socket _socket;
    private readonly Lock _sendLock = new();
    private byte[] _buffer = new byte[4096];
    private int _length;

    /// <param name="localAddress">The source address to bind.</param>
    /// <param name="receiveBufferBytes">
    /// The kernel receive buffer, 0 for the system's; a stalled client's is small, so the server's sends back up soon,
    /// as for a phone on a slow link (set before connecting, when the TCP window is negotiated).
    /// </param>
    public WsConnection(IPAddress localAddress, int receiveBufferBytes = 0)
    {
        _socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        if (receiveBufferBytes > 0)
        {
            _socket.ReceiveBufferSize = receiveBufferBytes;
        }
        _socket.Bind(new IPEndPoint(localAddress, 0));
    }

    /// <summary>Set: the receive loop stops reading before its next receive until the task completes (a stalled client).</summary>
    public Task? Stall { get; set; }

    public int Id { get; init; }

    public int Confirmed;

    /// <summary>kline_data messages this connection received during the measured window.</summary>
    public int KlineFramesInWindow;

    /// <summary>Stopwatch timestamp of the request in flight (history load: one outstanding request per connection).</summary>
    public long RequestStartedAt;

    public async Task ConnectAsync(IPEndPoint server, string hostHeader, string path, CancellationToken ct)
    {
        await _socket.ConnectAsync(server, ct).ConfigureAwait(false);
        string key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
        string request = $"GET {path} HTTP/1.1\r\nHost: {hostHeader}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
                         $"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n";
        await _socket.SendAsync(Encoding.ASCII.GetBytes(request), SocketFlags.None, ct).ConfigureAwait(false);
        while (true)
        {
            int n = await _socket.ReceiveAsync(_buffer.AsMemory(_length), SocketFlags.None, ct).ConfigureAwait(false);
            if (n == 0)
            {
                throw new IOException("connection closed during the upgrade");
            }
            _length += n;
            int end = _buffer.AsSpan(0, _length).IndexOf("\r\n\r\n"u8);
            if (end < 0)
            {
                if (_length == _buffer.Length)
                {
                    throw new IOException("upgrade response too large");
                }
                continue;
            }
            var head = Encoding.ASCII.GetString(_buffer, 0, end);
            if (!head.StartsWith("HTTP/1.1 101", StringComparison.Ordinal))
            {
                throw new IOException("upgrade refused: " + head.Split('\r')[0]);
            }
            int rest = _length - (end + 4);
            Buffer.BlockCopy(_buffer, end + 4, _buffer, 0, rest);
            _length = rest;
            return;
        }
    }

    public void SendText(ReadOnlySpan<byte> payload) => SendFrame(0x1, payload);

    /// <summary>Sends one masked frame; sends are rare (subscribe, pong, keep-alive), so a blocking send under a lock.</summary>
    private void SendFrame(byte opcode, ReadOnlySpan<byte> payload)
    {
        int header = payload.Length < 126 ? 2 : payload.Length <= ushort.MaxValue ? 4 : 10;
        byte[] frame = new byte[header + 4 + payload.Length];
        frame[0] = (byte)(0x80 | opcode);
        if (header == 2)
        {
            frame[1] = (byte)(0x80 | payload.Length);
        }
        else if (header == 4)
        {
            frame[1] = 0x80 | 126;
            BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(2), (ushort)payload.Length);
        }
        else
        {
            frame[1] = 0x80 | 127;
            BinaryPrimitives.WriteUInt64BigEndian(frame.AsSpan(2), (ulong)payload.Length);
        }
        Span<byte> mask = frame.AsSpan(header, 4);
        RandomNumberGenerator.Fill(mask);
        var body = frame.AsSpan(header + 4);
        for (int i = 0; i < payload.Length; i++)
        {
            body[i] = (byte)(payload[i] ^ mask[i & 3]);
        }
        lock (_sendLock)
        {
            int sent = 0;
            while (sent < frame.Length)
            {
                sent += _socket.Send(frame, sent, frame.Length - sent, SocketFlags.None);
            }
        }
    }

    /// <summary>Receives until the server closes, a protocol error, or <paramref name="ct"/>.</summary>
    public async Task ReceiveLoopAsync(Action<WsConnection, ReadOnlySpan<byte>> onText, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            if (!ProcessFrames(onText))
            {
                return;
            }
            if (Stall is { } stall)
            {
                await stall.WaitAsync(ct).ConfigureAwait(false);
            }
            if (_length == _buffer.Length)
            {
                Array.Resize(ref _buffer, _buffer.Length * 2);
            }
            int n = await _socket.ReceiveAsync(_buffer.AsMemory(_length), SocketFlags.None, ct).ConfigureAwait(false);
            if (n == 0)
            {
                return;
            }
            _length += n;
        }
    }

    /// <summary>Handles every complete frame in the buffer; false when the connection is to end.</summary>
    private bool ProcessFrames(Action<WsConnection, ReadOnlySpan<byte>> onText)
    {
        int offset = 0;
        bool keepGoing = true;
        while (keepGoing)
        {
            var span = _buffer.AsSpan(offset, _length - offset);
            if (span.Length < 2)
            {
                break;
            }
            int opcode = span[0] & 0x0F;
            bool fin = (span[0] & 0x80) != 0;
            if ((span[1] & 0x80) != 0)
            {
                Stats.ProtocolErrors.Increment();
                return false;
            }
            long len = span[1] & 0x7F;
            int header = 2;
            if (len == 126)
            {
                if (span.Length < 4)
                {
                    break;
                }
                len = BinaryPrimitives.ReadUInt16BigEndian(span[2..]);
                header = 4;
            }
            else if (len == 127)
            {
                if (span.Length < 10)
                {
                    break;
                }
                len = (long)BinaryPrimitives.ReadUInt64BigEndian(span[2..]);
                header = 10;
            }
            if (len > 16 * 1024 * 1024)
            {
                Stats.ProtocolErrors.Increment();
                return false;
            }
            if (span.Length < header + len)
            {
                // Make room for the whole frame before the next receive.
                if (header + len > _buffer.Length)
                {
                    int need = (int)(header + len);
                    var bigger = new byte[Math.Max(need, _buffer.Length * 2)];
                    span.CopyTo(bigger);
                    _buffer = bigger;
                    _length = span.Length;
                    return true;
                }
                break;
            }
            var payload = span.Slice(header, (int)len);
            switch (opcode)
            {
                case 0x1 when fin:
                    onText(this, payload);
                    break;
                case 0x9:
                    SendFrame(0xA, payload);
                    break;
                case 0xA:
                    break;
                case 0x8:
                    Stats.ServerCloses.Increment();
                    keepGoing = false;
                    break;
                default:
                    Stats.ProtocolErrors.Increment();
                    keepGoing = false;
                    break;
            }
            offset += header + (int)len;
        }
        int rest = _length - offset;
        if (offset > 0 && rest > 0)
        {
            Buffer.BlockCopy(_buffer, offset, _buffer, 0, rest);
        }
        _length = rest;
        return keepGoing;
    }

    public void Dispose()
    {
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
            // Already gone.
        }
        _socket.Dispose();
    }
}
