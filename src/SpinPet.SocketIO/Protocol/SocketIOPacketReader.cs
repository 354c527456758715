using System.Text;
using System.Text.Json;

namespace SpinPet.SocketIO.Protocol;

/// <summary>
/// Decodes what a client sends, as the reference parser does, over the raw UTF-8 bytes: never throws for bad
/// input, says what is wrong instead. The header (type, namespace, ack id) is read first so that a packet whose
/// JSON is bad can still be answered on its namespace with its ack id.
/// </summary>
internal static class SocketIOPacketReader
{
    // A namespace is a short path ("/kline"); 256 bytes is far past any real one and bounds what a log line quotes.
    public const int MaxNamespaceBytes = 256;

    // Ack ids are JavaScript numbers: 15 digits stay below 2^53, where they are still exact.
    private const int MaxAckIdDigits = 15;

    // socket.io-client sends flat JSON; 32 levels leave room for any real argument and bound the reader's stack.
    private const int MaxJsonDepth = 32;

    private static readonly byte[] RootNamespace = "/"u8.ToArray();

    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = MaxJsonDepth };

    /// <summary>Names the reference parser refuses as client event names (they mean something to the libraries).</summary>
    private static readonly string[] ReservedEventNames =
        ["connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener"];

    /// <summary>
    /// Reads the header of a Socket.IO packet (the data of an Engine.IO message). False, with the reason, when the
    /// type is unknown, the attachment count of a binary packet is malformed, the namespace is too long or the ack id
    /// is not a number the client could have sent.
    /// </summary>
    public static bool TryReadHeader(ReadOnlyMemory<byte> message, out SocketIOPacket packet, out string? problem)
    {
        packet = default;
        problem = null;
        var span = message.Span;
        if (span.IsEmpty || span[0] < (byte)'0' || span[0] > (byte)'6')
        {
            problem = span.IsEmpty ? "empty Socket.IO packet" : "unknown Socket.IO packet type";
            return false;
        }
        var type = (SocketIOPacketType)(span[0] - '0');
        int i = 1;
        if (type is SocketIOPacketType.BinaryEvent or SocketIOPacketType.BinaryAck)
        {
            int dash = span[i..].IndexOf((byte)'-');
            if (dash <= 0 || dash > 9 || !AllDigits(span.Slice(i, dash)))
            {
                problem = "illegal attachment count";
                return false;
            }
            i += dash + 1;
        }

        ReadOnlyMemory<byte> ns = RootNamespace;
        if (i < span.Length && span[i] == (byte)'/')
        {
            int comma = span[i..].IndexOf((byte)',');
            int end = comma < 0 ? span.Length : i + comma;
            if (end - i > MaxNamespaceBytes)
            {
                problem = "namespace longer than 256 bytes";
                return false;
            }
            if (span[i..end].IndexOfAnyInRange((byte)0, (byte)0x1F) >= 0)
            {
                // A control character would reach the log and, echoed in a CONNECT_ERROR, a polling payload.
                problem = "namespace contains a control character";
                return false;
            }
            ns = message[i..end];
            i = comma < 0 ? end : end + 1;
        }

        long? ackId = null;
        int digits = 0;
        while (i + digits < span.Length && IsDigit(span[i + digits]))
        {
            digits++;
        }
        if (digits > 0)
        {
            if (digits > MaxAckIdDigits)
            {
                problem = "ack id longer than 15 digits";
                return false;
            }
            long id = 0;
            for (int d = 0; d < digits; d++)
            {
                id = (id * 10) + (span[i + d] - '0');
            }
            ackId = id;
            i += digits;
        }
        packet = new SocketIOPacket(type, ns, ackId, message[i..]);
        return true;
    }

    /// <summary>True when <paramref name="json"/> is exactly one JSON object (a CONNECT's auth payload).</summary>
    public static bool IsObject(ReadOnlySpan<byte> json)
    {
        try
        {
            var reader = new Utf8JsonReader(json, ReaderOptions);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }
            reader.Skip();
            return !reader.Read();
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>True when <paramref name="json"/> is exactly one JSON array (an ACK's arguments).</summary>
    public static bool IsArray(ReadOnlySpan<byte> json)
    {
        try
        {
            var reader = new Utf8JsonReader(json, ReaderOptions);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray)
            {
                return false;
            }
            reader.Skip();
            return !reader.Read();
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>
    /// Reads an EVENT's data: a JSON array whose first element is the event name (a string that is not reserved, or
    /// a number, as the reference parser allows) and whose further elements are the arguments. On success
    /// <paramref name="argument"/> is the raw JSON of the first argument (empty when there is none).
    /// </summary>
    public static bool TryReadEvent(ReadOnlyMemory<byte> data, out string name, out ReadOnlyMemory<byte> argument,
        out int argumentCount, out string? problem)
    {
        name = string.Empty;
        argument = default;
        argumentCount = 0;
        problem = null;
        try
        {
            var reader = new Utf8JsonReader(data.Span, ReaderOptions);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray)
            {
                problem = "event data is not a JSON array";
                return false;
            }
            if (!reader.Read() || reader.TokenType is not (JsonTokenType.String or JsonTokenType.Number))
            {
                problem = "event name is not a string";
                return false;
            }
            name = reader.TokenType == JsonTokenType.String
                ? reader.GetString()!
                : Encoding.UTF8.GetString(reader.ValueSpan);
            if (Array.IndexOf(ReservedEventNames, name) >= 0)
            {
                problem = $"reserved event name {name}";
                return false;
            }
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                int start = (int)reader.TokenStartIndex;
                reader.Skip();
                if (argumentCount == 0)
                {
                    argument = data[start..(int)reader.BytesConsumed];
                }
                argumentCount++;
            }
            if (reader.TokenType != JsonTokenType.EndArray || reader.Read())
            {
                problem = "event data is not one JSON array";
                return false;
            }
            return true;
        }
        catch (JsonException ex)
        {
            problem = "event data is not valid JSON: " + ex.Message;
            return false;
        }
    }

    private static bool IsDigit(byte b) => b is >= (byte)'0' and <= (byte)'9';

    private static bool AllDigits(ReadOnlySpan<byte> span)
    {
        foreach (byte b in span)
        {
            if (!IsDigit(b))
            {
                return false;
            }
        }
        return true;
    }
}
