using System.Buffers;
using System.Text.Json;
using SpinPet.SocketIO.Namespaces;
using SpinPet.Streaming;
using SpinPet.Streaming.Events;
using SpinPet.Streaming.Protocol;
using SpinPet.Streaming.Topics;

namespace SpinPet.Server.SocketIO;

/// <summary>
/// The <c>/kline</c> namespace's event arguments. socketio.md: "the payloads are the <c>data</c> objects of
/// protocol.md", so each is cut out of the <c>/ws</c> message <see cref="ServerMessages"/> writes rather than written a
/// second way: both endpoints say the same thing, field for field, and a field added to <c>/ws</c>'s <c>data</c>
/// reaches Socket.IO clients too.
/// </summary>
internal static class KlinePayloads
{
    public const string Namespace = "/kline";

    /// <summary>
    /// <c>connection_success</c>'s argument: protocol.md's greeting without <c>type</c>. The symbol and interval lists
    /// are the hub's shared tail (<c>,"supported_symbols":[…],"supported_intervals":[…]}</c>).
    /// </summary>
    public static byte[] ConnectionSuccess(string clientId, long serverTimeSeconds, SharedFrame greetingTail)
    {
        var buffer = new ArrayBufferWriter<byte>(128 + greetingTail.Suffix.Length);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("client_id", clientId);
            w.WriteNumber("server_time", serverTimeSeconds);
            // Flushed with the object still open: the shared tail continues and closes it.
        }
        buffer.Write(greetingTail.Suffix);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary><c>history_data</c>'s argument, newest first (socketio.md: as the earlier server sent it; <c>/ws</c> sends oldest first).</summary>
    public static byte[] HistoryData(TopicKey topic, string symbol, HistoryPage page, long nowMs)
    {
        var newestFirst = page with { Candles = [.. page.Candles.Reverse()] };
        return DataOf(ServerMessages.HistoryData(topic, symbol, newestFirst, nowMs));
    }

    /// <summary><c>error</c>'s argument: <c>{"code","message"}</c>.</summary>
    public static byte[] Error(ErrorCode code, string message) => DataOf(ServerMessages.Error(code, message, 0));

    /// <summary>
    /// The <c>kline_data</c> packet of one candle update, cut around <c>subscription_id</c> like <c>/ws</c>'s frame:
    /// <c>42/kline,["kline_data",{"symbol":…,"subscription_id":</c> ‖ id ‖ <c>,"data":{candle},"timestamp":T}]</c>.
    /// </summary>
    public static SharedEventPacket KlineData(KlineFrame wsFrame) => Spliced("kline_data", wsFrame);

    /// <summary>
    /// The <c>event_data</c> packet of one event of a mint's stream, cut around <c>subscription_id</c> the same way:
    /// its argument is <c>/ws</c>'s <c>event_data</c> <c>data</c> object.
    /// </summary>
    public static SharedEventPacket EventData(EventFrame wsFrame) => Spliced("event_data", wsFrame);

    /// <summary><c>history_event_data</c>'s argument, newest first (socketio.md; <c>/ws</c> sends oldest first).</summary>
    public static byte[] HistoryEventData(string symbol, EventPage page, long nowMs)
    {
        var newestFirst = page with { Events = [.. page.Events.Reverse()] };
        return DataOf(ServerMessages.HistoryEventData(symbol, newestFirst, nowMs));
    }

    /// <summary>The packet of event <paramref name="eventName"/> whose argument is the <c>data</c> of a shared <c>/ws</c> frame cut around the subscription id.</summary>
    private static SharedEventPacket Spliced(string eventName, SharedFrame wsFrame)
    {
        // The /ws frame around a null id is one whole message; its data object holds the splice point.
        byte[] whole = [.. wsFrame.Prefix, .. "null"u8, .. wsFrame.Suffix];
        var (start, end) = DataRange(whole);
        int splice = wsFrame.Prefix.Length;
        if (start >= splice || end <= splice + 4)
        {
            throw new InvalidOperationException($"The /ws {eventName} frame's splice is not inside its data object.");
        }
        return SharedEventPacket.CreateSpliced(Namespace, eventName, whole.AsSpan(start, splice - start), whole.AsSpan(splice + 4, end - splice - 4));
    }

    /// <summary>The value of the top-level <c>data</c> property of a <c>/ws</c> message.</summary>
    public static byte[] DataOf(byte[] wsMessage)
    {
        var (start, end) = DataRange(wsMessage);
        return wsMessage.AsSpan(start, end - start).ToArray();
    }

    private static (int Start, int End) DataRange(ReadOnlySpan<byte> message)
    {
        var reader = new Utf8JsonReader(message);
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            bool isData = reader.ValueTextEquals("data"u8);
            reader.Read();
            int start = (int)reader.TokenStartIndex;
            reader.Skip();
            if (isData)
            {
                return (start, (int)reader.BytesConsumed);
            }
        }
        throw new InvalidOperationException("A /ws message without a data object.");
    }
}
