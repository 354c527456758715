using System.Buffers;
using System.Net.WebSockets;

namespace SpinPet.WebSockets.Tests;

/// <summary>System.Net.WebSockets.ClientWebSocket helpers: connect, and receive one whole message.</summary>
internal static class ClientSockets
{
    public static async Task<ClientWebSocket> ConnectAsync(Uri uri, CancellationToken ct)
    {
        var socket = new ClientWebSocket();
        await socket.ConnectAsync(uri, ct);
        return socket;
    }

    public static async Task<(WebSocketMessageType Type, byte[] Payload)> ReceiveWholeAsync(this ClientWebSocket socket, CancellationToken ct)
    {
        var buffer = new ArrayBufferWriter<byte>();
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer.GetMemory(16 * 1024), ct);
            buffer.Advance(result.Count);
            if (result.EndOfMessage || result.MessageType == WebSocketMessageType.Close)
            {
                return (result.MessageType, buffer.WrittenSpan.ToArray());
            }
        }
    }
}
