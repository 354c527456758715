using System.Buffers;
using System.Text.Json;
using SpinPet.Core.Stream;
using SpinPet.Streaming.Protocol;

namespace SpinPet.Streaming.Events;

/// <summary>
/// <c>/ws</c>'s <c>event_data</c> (protocol.md, "The event stream of a mint"), cut around <c>subscription_id</c>:
/// <c>{"type":"event_data","data":{"symbol":…,"subscription_id":</c> ‖ the subscriber's id JSON ‖
/// <c>,"event_type":…,"event":{item of GET /api/events},"seq":S,"epoch":E},"timestamp":T}</c>.
/// </summary>
public sealed class EventDataFormat : EventFrameFormat
{
    private EventDataFormat()
    {
    }

    public static EventDataFormat Instance { get; } = new();

    private static ReadOnlySpan<byte> Placeholder => "\"subscription_id\":null"u8;

    public override EventFrame Serialize(string symbol, StreamEvent streamEvent, long sequence, long nowMs, long publishedAt, StreamPosition position)
    {
        ArgumentNullException.ThrowIfNull(streamEvent);
        var buffer = new ArrayBufferWriter<byte>(256 + streamEvent.Json.Length);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("type", "event_data");
            w.WriteStartObject("data");
            w.WriteString("symbol", symbol);
            w.WriteNull("subscription_id");
            w.WriteString("event_type", streamEvent.EventType);
            w.WritePropertyName("event");
            // The host's serializer wrote it; validating it again per frame would cost as much as writing it.
            w.WriteRawValue(streamEvent.Json, skipInputValidation: true);
            ServerMessages.WritePosition(w, position);
            w.WriteEndObject();
            w.WriteNumber("timestamp", nowMs);
            w.WriteEndObject();
        }
        // The symbol is base58, so the placeholder's bytes cannot occur before it.
        var message = buffer.WrittenSpan;
        int at = message.IndexOf(Placeholder) + Placeholder.Length - "null"u8.Length;
        return new EventFrame(message[..at].ToArray(), message[(at + 4)..].ToArray(), streamEvent, sequence, publishedAt, position);
    }
}
