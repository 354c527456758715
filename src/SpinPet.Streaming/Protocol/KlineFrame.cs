using System.Buffers;
using System.Text.Json;
using SpinPet.Core.Candles;
using SpinPet.Streaming.Topics;
using SpinPet.WebSockets;

namespace SpinPet.Streaming.Protocol;

/// <summary>
/// One candle update serialized once and shared by every subscriber of its topic. The message differs per
/// subscriber only in <c>subscription_id</c>, so it is kept as two shared pieces around that value:
/// <c>{"type":"kline_data","data":{"symbol":…,"interval":…,"subscription_id":</c> ‖ the subscriber's id JSON ‖
/// <c>,"data":{candle},"timestamp":T},"timestamp":T}</c>. Each connection writes prefix, its id and suffix as one
/// frame; nothing is formatted per subscriber. For permessage-deflate connections the two pieces are also
/// compressed once (<see cref="Deflated"/>) and the id goes between them as a stored block.
/// </summary>
public sealed class KlineFrame
{
    // Marks "compressing does not make this frame smaller": computed once like the compressed parts.
    private static readonly DeflatedKline NotSmaller = new([], []);

    private DeflatedKline? _deflated;

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

    /// <summary>
    /// The prefix and suffix compressed for permessage-deflate (<see cref="PerMessageDeflate"/>), made by the first
    /// compressing connection that sends this frame and then shared by all of them; null when compression would not
    /// make the message smaller (it is then sent plain, which RFC 7692 allows per message).
    /// </summary>
    internal DeflatedKline? Deflated
    {
        get
        {
            var deflated = Volatile.Read(ref _deflated);
            if (deflated is null)
            {
                var made = new DeflatedKline(PerMessageDeflate.Compress(Prefix), PerMessageDeflate.Compress(Suffix));
                // LEN and NLEN of the id's stored block are the 4 bytes compression adds per subscriber.
                made = made.Prefix.Length + made.Suffix.Length + 4 < Prefix.Length + Suffix.Length ? made : NotSmaller;
                // Two writers may race on a fresh frame; both results are equal and one is kept.
                deflated = Interlocked.CompareExchange(ref _deflated, made, null) ?? made;
            }
            return ReferenceEquals(deflated, NotSmaller) ? null : deflated;
        }
    }

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

/// <summary>A kline frame's shared pieces, each compressed on its own (see <see cref="PerMessageDeflate"/>).</summary>
internal sealed record DeflatedKline(byte[] Prefix, byte[] Suffix);
