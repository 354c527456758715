using System.Buffers;
using System.Text.Json;
using SpinPet.Core.Candles;
using SpinPet.Core.Stream;
using SpinPet.Streaming.Topics;

namespace SpinPet.Streaming.Protocol;

/// <summary>
/// The server → client messages of protocol.md, written with <see cref="Utf8JsonWriter"/> straight to UTF-8 bytes.
/// Doubles are written in their shortest round-trip form (no decimal rounding of prices).
/// </summary>
public static class ServerMessages
{
    /// <summary>
    /// The first part of <c>connection_success</c>, this connection's own: <c>{"type":…,"client_id":…,"server_time":…</c>.
    /// The rest, shared by every greeting, is <see cref="ConnectionSuccessTail"/>.
    /// </summary>
    public static byte[] ConnectionSuccessHead(string clientId, long serverTimeSeconds)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("type", "connection_success");
            w.WriteString("client_id", clientId);
            w.WriteNumber("server_time", serverTimeSeconds);
            // Flushed with the object still open: the tail continues it.
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// The shared end of <c>connection_success</c>: <c>,"supported_symbols":[…],"supported_intervals":[…]}</c>, where
    /// <paramref name="intervalsJson"/> is the JSON array of interval names.
    /// </summary>
    public static byte[] ConnectionSuccessTail(IEnumerable<string> symbols, ReadOnlySpan<byte> intervalsJson)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        buffer.Write(",\"supported_symbols\":"u8);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartArray();
            foreach (var symbol in symbols)
            {
                w.WriteStringValue(symbol);
            }
            w.WriteEndArray();
        }
        buffer.Write(",\"supported_intervals\":"u8);
        buffer.Write(intervalsJson);
        buffer.Write("}"u8);
        return buffer.WrittenSpan.ToArray();
    }

    public static byte[] HistoryData(TopicKey topic, string symbol, HistoryPage page, long nowMs) =>
        Envelope("history_data", nowMs, w =>
        {
            w.WriteString("symbol", symbol);
            w.WriteString("interval", topic.Interval.Name);
            w.WriteStartArray("data");
            foreach (var candle in page.Candles)
            {
                WriteCandle(w, candle);
            }
            w.WriteEndArray();
            w.WriteBoolean("has_more", page.HasMore);
            w.WriteNumber("total_count", page.TotalCount);
            WriteSnapshotPosition(w, page);
        });

    /// <summary><c>subscription_confirmed</c>; with the snapshot's <paramref name="page"/>, its <c>recovered</c>, <c>seq</c> and <c>epoch</c> end <c>data</c>.</summary>
    public static byte[] SubscriptionConfirmed(string symbol, Interval interval, string? subscriptionId, long nowMs, HistoryPage? page = null) =>
        Envelope("subscription_confirmed", nowMs, w =>
        {
            w.WriteString("symbol", symbol);
            w.WriteString("interval", interval.Name);
            WriteNullableString(w, "subscription_id", subscriptionId);
            w.WriteBoolean("success", true);
            w.WriteString("message", "订阅成功");
            if (page is not null)
            {
                WriteSnapshotPosition(w, page);
            }
        });

    public static byte[] UnsubscribeConfirmed(string symbol, Interval interval, string? subscriptionId, bool success, long nowMs) =>
        Envelope("unsubscribe_confirmed", nowMs, w =>
        {
            w.WriteString("symbol", symbol);
            w.WriteString("interval", interval.Name);
            WriteNullableString(w, "subscription_id", subscriptionId);
            w.WriteBoolean("success", success);
            if (!success)
            {
                w.WriteString("message", "not subscribed to this symbol and interval");
            }
        });

    /// <summary>
    /// <c>history_event_data</c>: the events of <paramref name="page"/> in the order given (oldest first on <c>/ws</c>), each
    /// exactly an item of <c>GET /api/events</c>, then <c>has_more</c>, <c>total_count</c>, <c>recovered</c> and the position.
    /// </summary>
    public static byte[] HistoryEventData(string symbol, EventPage page, long nowMs) =>
        Envelope("history_event_data", nowMs, w =>
        {
            w.WriteString("symbol", symbol);
            w.WriteStartArray("data");
            foreach (var item in page.Events)
            {
                w.WriteRawValue(item.Json, skipInputValidation: true);
            }
            w.WriteEndArray();
            w.WriteBoolean("has_more", page.HasMore);
            w.WriteNumber("total_count", page.TotalCount);
            if (page.Recovered is { } recovered)
            {
                w.WriteBoolean("recovered", recovered);
            }
            if (page.Position is { } position)
            {
                WritePosition(w, position);
            }
        });

    /// <summary><c>subscription_confirmed</c> of an event stream: <c>"channel":"events"</c>, no interval; the snapshot's <c>recovered</c> and position end it.</summary>
    public static byte[] EventSubscriptionConfirmed(string symbol, string? subscriptionId, long nowMs, EventPage page) =>
        Envelope("subscription_confirmed", nowMs, w =>
        {
            w.WriteString("symbol", symbol);
            w.WriteString("channel", "events");
            WriteNullableString(w, "subscription_id", subscriptionId);
            w.WriteBoolean("success", true);
            w.WriteString("message", "订阅成功");
            if (page.Recovered is { } recovered)
            {
                w.WriteBoolean("recovered", recovered);
            }
            if (page.Position is { } position)
            {
                WritePosition(w, position);
            }
        });

    /// <summary><c>unsubscribe_confirmed</c> of an event stream (<c>"channel":"events"</c>).</summary>
    public static byte[] EventUnsubscribeConfirmed(string symbol, string? subscriptionId, bool success, long nowMs) =>
        Envelope("unsubscribe_confirmed", nowMs, w =>
        {
            w.WriteString("symbol", symbol);
            w.WriteString("channel", "events");
            WriteNullableString(w, "subscription_id", subscriptionId);
            w.WriteBoolean("success", success);
            if (!success)
            {
                w.WriteString("message", "not subscribed to this symbol's events");
            }
        });

    public static byte[] Pong(long nowMs) => Envelope("pong", nowMs, static _ => { });

    public static byte[] Error(ErrorCode code, string message, long nowMs) =>
        Write(w =>
        {
            w.WriteStartObject();
            w.WriteString("type", "error");
            w.WriteNumber("code", (int)code);
            w.WriteString("message", message);
            w.WriteStartObject("data");
            w.WriteNumber("code", (int)code);
            w.WriteString("message", message);
            w.WriteEndObject();
            w.WriteNumber("timestamp", nowMs);
            w.WriteEndObject();
        });

    /// <summary>A candle as protocol.md shows it; <c>update_type</c> is <c>final</c> for a closed candle.</summary>
    public static void WriteCandle(Utf8JsonWriter w, Candle candle)
    {
        w.WriteStartObject();
        w.WriteNumber("time", candle.Time);
        w.WriteNumber("open", candle.Open);
        w.WriteNumber("high", candle.High);
        w.WriteNumber("low", candle.Low);
        w.WriteNumber("close", candle.Close);
        w.WriteNumber("volume", candle.Volume);
        w.WriteBoolean("is_final", candle.IsFinal);
        w.WriteString("update_type", candle.IsFinal ? "final" : "realtime");
        w.WriteNumber("update_count", candle.UpdateCount);
        w.WriteEndObject();
    }

    /// <summary>
    /// <c>"seq":S,"epoch":E</c>, the last fields of a message's <c>data</c> (protocol.md, "Position and resume"). A
    /// position not known yet (a hub before its first position) writes seq 0 in an empty epoch, which no resume matches.
    /// </summary>
    public static void WritePosition(Utf8JsonWriter w, StreamPosition position)
    {
        ArgumentNullException.ThrowIfNull(w);
        w.WriteNumber("seq", position.Seq);
        w.WriteString("epoch", position.Epoch ?? "");
    }

    /// <summary>A snapshot's <c>recovered</c> (only when the client asked to resume), then its position, when the page has one.</summary>
    private static void WriteSnapshotPosition(Utf8JsonWriter w, HistoryPage page)
    {
        if (page.Recovered is { } recovered)
        {
            w.WriteBoolean("recovered", recovered);
        }
        if (page.Position is { } position)
        {
            WritePosition(w, position);
        }
    }

    /// <summary>The JSON value of a subscription id (<c>"sub_1"</c> or <c>null</c>), encoded once per subscription.</summary>
    private static readonly byte[] NullJson = "null"u8.ToArray();

    /// <summary>A subscription id as JSON; one shared array for every subscription without an id (never written to).</summary>
    public static byte[] SubscriptionIdJson(string? subscriptionId) =>
        subscriptionId is null ? NullJson : JsonSerializer.SerializeToUtf8Bytes(subscriptionId, StreamingJsonContext.Default.String);

    private static byte[] Envelope(string type, long nowMs, Action<Utf8JsonWriter> data) =>
        Write(w =>
        {
            w.WriteStartObject();
            w.WriteString("type", type);
            w.WriteStartObject("data");
            data(w);
            w.WriteEndObject();
            w.WriteNumber("timestamp", nowMs);
            w.WriteEndObject();
        });

    private static void WriteNullableString(Utf8JsonWriter w, string name, string? value)
    {
        if (value is null)
        {
            w.WriteNull(name);
        }
        else
        {
            w.WriteString(name, value);
        }
    }

    private static byte[] Write(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            write(writer);
        }
        return buffer.WrittenSpan.ToArray();
    }
}
