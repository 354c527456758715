using System.Buffers;
using System.Text.Json;
using SpinPet.Core.Candles;
using SpinPet.Core.Stream;
using SpinPet.Streaming.Topics;

namespace SpinPet.Streaming.Protocol;

/// <summary>
/// <c>/ws</c>'s <c>kline_data</c>, cut around <c>subscription_id</c>, the only per-subscriber part:
/// <c>{"type":"kline_data","data":{"symbol":…,"interval":…,"subscription_id":</c> ‖ the subscriber's id JSON ‖
/// <c>,"data":{candle},"timestamp":T,"seq":S,"epoch":E},"timestamp":T}</c>: the position of the batch that produced
/// the state ends <c>data</c> (protocol.md, "Position and resume") and is part of the shared suffix.
/// </summary>
public sealed class KlineDataFormat : FrameFormat
{
    private KlineDataFormat()
    {
    }

    public static KlineDataFormat Instance { get; } = new();

    private static ReadOnlySpan<byte> Placeholder => "\"subscription_id\":null"u8;

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    public override KlineFrame Serialize(TopicKey topic, string symbol, Candle candle, long sequence, long nowMs, long publishedAt, StreamPosition position)
    {
        // One buffer and writer per thread, reused: a fresh small buffer grew two or three times per frame, the
        // fan-out's largest allocation. Only the frame's two parts are copied out.
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(1024);
        buffer.ResetWrittenCount();
        var w = t_writer ??= new Utf8JsonWriter(buffer);
        w.Reset(buffer);
        w.WriteStartObject();
        w.WriteString("type", "kline_data");
        w.WriteStartObject("data");
        w.WriteString("symbol", symbol);
        w.WriteString("interval", topic.Interval.Name);
        w.WriteNull("subscription_id");
        w.WritePropertyName("data");
        ServerMessages.WriteCandle(w, candle);
        w.WriteNumber("timestamp", nowMs);
        ServerMessages.WritePosition(w, position);
        w.WriteEndObject();
        w.WriteNumber("timestamp", nowMs);
        w.WriteEndObject();
        w.Flush();
        // Cut the message around the null placeholder; symbol and interval are base58 and [smhd]N, so the
        // placeholder's bytes cannot occur before it.
        var message = buffer.WrittenSpan;
        int at = message.IndexOf(Placeholder) + Placeholder.Length - "null"u8.Length;
        return new KlineFrame(message[..at].ToArray(), message[(at + 4)..].ToArray(), candle, sequence, publishedAt, position);
    }
}
