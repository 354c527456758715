using System.Buffers;
using System.Text.Json;
using SpinPet.Core.Candles;
using SpinPet.Streaming.Topics;

namespace SpinPet.Streaming.Protocol;

/// <summary>
/// One candle update serialized once and shared by every subscriber of its topic. The message differs per
/// subscriber only in <c>subscription_id</c>, so it is kept as two shared pieces around that value:
/// <c>{"type":"kline_data","data":{"symbol":…,"interval":…,"subscription_id":</c> ‖ the subscriber's id JSON ‖
/// <c>,"data":{candle},"timestamp":T},"timestamp":T}</c>. Each connection writes prefix, its id and suffix as one
/// frame; nothing is formatted per subscriber.
/// </summary>
public sealed class KlineFrame
{
    private KlineFrame(byte[] prefix, byte[] suffix, Candle candle, long sequence, long publishedAt)
    {
        PublishedAt = publishedAt;
        Prefix = prefix;
        Suffix = suffix;
        Candle = candle;
        Sequence = sequence;
    }

    public byte[] Prefix { get; }

    public byte[] Suffix { get; }

    public Candle Candle { get; }

    /// <summary>The topic's publication number: subscribers attached after it never receive it twice.</summary>
    public long Sequence { get; }

    public bool IsFinal => Candle.IsFinal;

    /// <summary>When the ingest published this state (<see cref="System.Diagnostics.Stopwatch"/> timestamp): the start of the broadcast latency.</summary>
    public long PublishedAt { get; }

    public int Length(byte[] subscriptionId) => Prefix.Length + subscriptionId.Length + Suffix.Length;

    public static KlineFrame Create(TopicKey topic, string symbol, Candle candle, long sequence, long nowMs, long publishedAt)
    {
        var buffer = new ArrayBufferWriter<byte>(320);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("type", "kline_data");
            w.WriteStartObject("data");
            w.WriteString("symbol", symbol);
            w.WriteString("interval", topic.Interval.Name);
            w.WriteNull("subscription_id");
            w.WritePropertyName("data");
            ServerMessages.WriteCandle(w, candle);
            w.WriteNumber("timestamp", nowMs);
            w.WriteEndObject();
            w.WriteNumber("timestamp", nowMs);
            w.WriteEndObject();
        }
        // Cut the message around the null placeholder; symbol and interval are base58 and [smhd]N, so the
        // placeholder's bytes cannot occur before it.
        var message = buffer.WrittenSpan;
        int at = message.IndexOf(Placeholder) + Placeholder.Length - "null"u8.Length;
        return new KlineFrame(message[..at].ToArray(), message[(at + 4)..].ToArray(), candle, sequence, publishedAt);
    }

    private static ReadOnlySpan<byte> Placeholder => "\"subscription_id\":null"u8;
}
