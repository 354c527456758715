using System.Buffers;
using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Net.WebSockets;
using System.Text.Json;
using SpinPet.Solana.Rpc;

namespace SpinPet.Solana.PubSub;

/// <summary>The wire side of the PubSub client: reading whole messages, the subscribe requests, notification parsing.</summary>
public sealed partial class SolanaPubSubClient
{
    /// <summary>
    /// The slot, signature, error and every log line, or false when one is missing or of the wrong type: no logs
    /// (or a line that is not a string) is an unreadable notification, never one without events; so are logs longer than
    /// <see cref="SolanaRpcClient.MaxLogCharacters"/>.
    /// </summary>
    private static bool TryReadLogsNotification(JsonElement result, int frameBytes, [NotNullWhen(true)] out LiveNotification? notification)
    {
        notification = null;
        if (!result.TryGetProperty("context", out var context) || context.ValueKind != JsonValueKind.Object
            || !context.TryGetProperty("slot", out var slotElement) || slotElement.ValueKind != JsonValueKind.Number
            || !slotElement.TryGetUInt64(out ulong slot)
            || !result.TryGetProperty("value", out var value) || value.ValueKind != JsonValueKind.Object
            || !value.TryGetProperty("signature", out var signatureElement) || signatureElement.ValueKind != JsonValueKind.String
            || !value.TryGetProperty("logs", out var logsElement) || logsElement.ValueKind != JsonValueKind.Array)
        {
            return false;
        }
        var logs = new string[logsElement.GetArrayLength()];
        int i = 0, characters = 0;
        foreach (var line in logsElement.EnumerateArray())
        {
            if (line.ValueKind != JsonValueKind.String)
            {
                return false;
            }
            logs[i] = line.GetString()!;
            // Longer than the runtime lets a transaction log: padded by the node, not a transaction to store.
            characters += logs[i++].Length;
            if (characters > SolanaRpcClient.MaxLogCharacters)
            {
                return false;
            }
        }
        bool failed = value.TryGetProperty("err", out var err) && err.ValueKind != JsonValueKind.Null;
        notification = new LiveNotification(slot, signatureElement.GetString()!, failed, logs) { FrameBytes = frameBytes, ReceivedAt = Stopwatch.GetTimestamp() };
        return true;
    }

    /// <summary>Reads one whole message; length −1 when it exceeded <see cref="MaxMessageBytes"/> (drained and dropped).</summary>
    private static async ValueTask<(int Length, WebSocketMessageType Kind)> ReceiveIntoAsync(ClientWebSocket socket, ReceiveBuffer buffer, CancellationToken ct)
    {
        int length = 0;
        bool oversize = false;
        while (true)
        {
            if (length == buffer.Bytes.Length)
            {
                if (buffer.Bytes.Length >= MaxMessageBytes)
                {
                    oversize = true;
                    length = 0;
                }
                else
                {
                    buffer.Grow(length);
                }
            }
            var received = await socket.ReceiveAsync(buffer.Bytes.AsMemory(length), ct);
            if (received.MessageType == WebSocketMessageType.Close)
            {
                return (0, WebSocketMessageType.Close);
            }
            length += received.Count;
            if (received.EndOfMessage)
            {
                return (oversize ? -1 : length, received.MessageType);
            }
        }
    }

    private static Task SendAsync(ClientWebSocket socket, byte[] message, CancellationToken ct) =>
        socket.SendAsync(message, WebSocketMessageType.Text, endOfMessage: true, ct);

    private byte[] LogsSubscribeRequest()
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("jsonrpc", "2.0");
            w.WriteNumber("id", LogsRequestId);
            w.WriteString("method", "logsSubscribe");
            w.WriteStartArray("params");
            w.WriteStartObject();
            w.WriteStartArray("mentions");
            w.WriteStringValue(_programId);
            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteStartObject();
            w.WriteString("commitment", _commitment);
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    private static byte[] SlotSubscribeRequest() =>
        """{"jsonrpc":"2.0","id":2,"method":"slotSubscribe"}"""u8.ToArray();

    /// <summary>
    /// A pooled receive buffer that grows by swapping arrays. It is owned by one object, so a receive that fails
    /// after a swap cannot hand the pool an array twice (a local plus a returned tuple could).
    /// </summary>
    private sealed class ReceiveBuffer : IDisposable
    {
        public byte[] Bytes { get; private set; } = ArrayPool<byte>.Shared.Rent(16 * 1024);

        public void Grow(int keep)
        {
            var bigger = ArrayPool<byte>.Shared.Rent(Bytes.Length * 2);
            Bytes.AsSpan(0, keep).CopyTo(bigger);
            var old = Bytes;
            Bytes = bigger;
            ArrayPool<byte>.Shared.Return(old);
        }

        public void Dispose() => ArrayPool<byte>.Shared.Return(Bytes);
    }

    private sealed class Subscriptions
    {
        public long? Logs { get; set; }

        public long? Slot { get; set; }
    }
}
