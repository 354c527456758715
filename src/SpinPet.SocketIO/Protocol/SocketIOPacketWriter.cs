using System.Buffers;
using System.Text.Json;

namespace SpinPet.SocketIO.Protocol;

/// <summary>
/// Encodes what the server sends. Every Socket.IO packet travels as an Engine.IO message, so each result starts with
/// the message type <c>4</c>: <c>42/kline,["name",{…}]</c> is one websocket frame or one record of a polling payload
/// as it stands. The root namespace <c>/</c> is written as nothing (<c>42["name",…]</c>), as the reference does.
/// </summary>
internal static class SocketIOPacketWriter
{
    /// <summary>The Engine.IO open packet: <c>0{"sid":…,"upgrades":[…],"pingInterval":…,"pingTimeout":…,"maxPayload":…}</c>.</summary>
    public static byte[] Open(EngineHandshake handshake) =>
        Concat("0"u8, JsonSerializer.SerializeToUtf8Bytes(handshake, SocketIOJsonContext.Default.EngineHandshake));

    /// <summary><c>40/kline,{"sid":"…"}</c></summary>
    public static byte[] ConnectReply(ReadOnlySpan<byte> ns, string socketId) =>
        Packet(SocketIOPacketType.Connect, ns, null,
            JsonSerializer.SerializeToUtf8Bytes(new ConnectReply(socketId), SocketIOJsonContext.Default.ConnectReply));

    /// <summary><c>44/other,{"message":"Invalid namespace"}</c></summary>
    public static byte[] ConnectError(ReadOnlySpan<byte> ns, string message) =>
        Packet(SocketIOPacketType.ConnectError, ns, null,
            JsonSerializer.SerializeToUtf8Bytes(new ConnectError(message), SocketIOJsonContext.Default.ConnectError));

    /// <summary><c>41/kline,</c>: the server ends the client's connection to a namespace (the client does not reconnect).</summary>
    public static byte[] Disconnect(ReadOnlySpan<byte> ns) => Packet(SocketIOPacketType.Disconnect, ns, null, default);

    /// <summary><c>42/kline,["name",argument]</c>; no argument when <paramref name="argumentJson"/> is empty.</summary>
    public static byte[] Event(ReadOnlySpan<byte> ns, string eventName, ReadOnlySpan<byte> argumentJson)
    {
        var buffer = new ArrayBufferWriter<byte>(32 + eventName.Length + argumentJson.Length);
        WriteEventStart(buffer, ns, eventName, hasArgument: !argumentJson.IsEmpty);
        buffer.Write(argumentJson);
        buffer.Write("]"u8);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary><c>43/kline,12[argument]</c>; an empty array when <paramref name="argumentJson"/> is empty.</summary>
    public static byte[] Ack(ReadOnlySpan<byte> ns, long ackId, ReadOnlySpan<byte> argumentJson)
    {
        var buffer = new ArrayBufferWriter<byte>(32 + argumentJson.Length);
        WriteHeader(buffer, SocketIOPacketType.Ack, ns, ackId);
        buffer.Write("["u8);
        buffer.Write(argumentJson);
        buffer.Write("]"u8);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// Writes <c>42/kline,["name",</c> (or <c>42/kline,["name"</c> without an argument): what an event's bytes
    /// start with, before its argument.
    /// </summary>
    public static void WriteEventStart(IBufferWriter<byte> buffer, ReadOnlySpan<byte> ns, string eventName, bool hasArgument)
    {
        WriteHeader(buffer, SocketIOPacketType.Event, ns, null);
        buffer.Write("["u8);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStringValue(eventName);
        }
        if (hasArgument)
        {
            buffer.Write(","u8);
        }
    }

    private static byte[] Packet(SocketIOPacketType type, ReadOnlySpan<byte> ns, long? ackId, ReadOnlySpan<byte> data)
    {
        var buffer = new ArrayBufferWriter<byte>(16 + ns.Length + data.Length);
        WriteHeader(buffer, type, ns, ackId);
        buffer.Write(data);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary><c>4</c> (Engine.IO message), the Socket.IO type, the namespace and a comma unless it is <c>/</c>, the ack id.</summary>
    private static void WriteHeader(IBufferWriter<byte> buffer, SocketIOPacketType type, ReadOnlySpan<byte> ns, long? ackId)
    {
        Span<byte> head = stackalloc byte[2];
        head[0] = (byte)'4';
        head[1] = (byte)('0' + (int)type);
        buffer.Write(head);
        if (!ns.SequenceEqual("/"u8))
        {
            buffer.Write(ns);
            buffer.Write(","u8);
        }
        if (ackId is long id)
        {
            Span<byte> digits = stackalloc byte[20];
            id.TryFormat(digits, out int written, provider: System.Globalization.CultureInfo.InvariantCulture);
            buffer.Write(digits[..written]);
        }
    }

    private static byte[] Concat(ReadOnlySpan<byte> first, ReadOnlySpan<byte> second)
    {
        var result = new byte[first.Length + second.Length];
        first.CopyTo(result);
        second.CopyTo(result.AsSpan(first.Length));
        return result;
    }
}
