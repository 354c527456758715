using System.Buffers;
using SpinPet.SocketIO.Protocol;

namespace SpinPet.SocketIO.Namespaces;

/// <summary>
/// One server event serialized once and handed to any number of sockets of its namespace
/// (<see cref="SocketIOSocket.TrySend(SharedEventPacket, ReadOnlyMemory{byte})"/>): the same bytes serve the websocket
/// and the polling transport. A spliced packet is kept as two shared pieces around one per-client JSON value, as
/// the /ws fan-out keeps <c>kline_data</c> around <c>subscription_id</c>: <c>42/kline,["kline_data",{…"subscription_id":</c>
/// ‖ the client's id JSON ‖ <c>,"data":{…},"timestamp":T}]</c>. Nothing is formatted per client.
/// </summary>
public sealed class SharedEventPacket
{
    private SharedEventPacket(string ns, byte[] head, byte[] tail, bool spliced)
    {
        Namespace = ns;
        Head = head;
        Tail = tail;
        IsSpliced = spliced;
    }

    public string Namespace { get; }

    /// <summary>True when each send supplies the JSON value that goes between <see cref="Head"/> and <see cref="Tail"/>.</summary>
    public bool IsSpliced { get; }

    /// <summary>The packet up to the splice (all of it when not spliced). Shared: never modify it.</summary>
    public byte[] Head { get; }

    /// <summary>The packet after the splice (empty when not spliced). Shared: never modify it.</summary>
    public byte[] Tail { get; }

    /// <summary>The packet's length on the wire with a splice of <paramref name="spliceLength"/> bytes.</summary>
    public int Length(int spliceLength) => Head.Length + spliceLength + Tail.Length;

    /// <summary><c>42/ns,["name",argument]</c> (no argument when <paramref name="argumentJson"/> is empty).</summary>
    public static SharedEventPacket Create(string ns, string eventName, ReadOnlySpan<byte> argumentJson)
    {
        ArgumentNullException.ThrowIfNull(ns);
        RequireNoSeparator(argumentJson, nameof(argumentJson));
        byte[] whole = SocketIOPacketWriter.Event(System.Text.Encoding.UTF8.GetBytes(ns), eventName, argumentJson);
        return new SharedEventPacket(ns, whole, [], spliced: false);
    }

    /// <summary>
    /// <c>42/ns,["name",</c> + <paramref name="argumentBefore"/> ‖ splice ‖ <paramref name="argumentAfter"/> + <c>]</c>:
    /// the argument's JSON cut around the one value that differs per client (which each send supplies as JSON, e.g.
    /// <c>"sub_1"</c> or <c>null</c>).
    /// </summary>
    public static SharedEventPacket CreateSpliced(string ns, string eventName, ReadOnlySpan<byte> argumentBefore, ReadOnlySpan<byte> argumentAfter)
    {
        ArgumentNullException.ThrowIfNull(ns);
        RequireNoSeparator(argumentBefore, nameof(argumentBefore));
        RequireNoSeparator(argumentAfter, nameof(argumentAfter));
        var head = new ArrayBufferWriter<byte>(32 + argumentBefore.Length);
        SocketIOPacketWriter.WriteEventStart(head, System.Text.Encoding.UTF8.GetBytes(ns), eventName, hasArgument: true);
        head.Write(argumentBefore);
        var tail = new byte[argumentAfter.Length + 1];
        argumentAfter.CopyTo(tail);
        tail[^1] = (byte)']';
        return new SharedEventPacket(ns, head.WrittenSpan.ToArray(), tail, spliced: true);
    }

    /// <summary>
    /// A spliced packet from parts serialized elsewhere, once (the fan-out's frame of one candle update, which the
    /// topic writes for all of its Socket.IO subscribers): <paramref name="head"/> is the whole packet up to the
    /// splice, starting <c>42/ns,["</c>, and <paramref name="tail"/> the rest, ending <c>]</c>. The arrays are kept,
    /// not copied, and must not change.
    /// </summary>
    public static SharedEventPacket FromSplicedParts(string ns, byte[] head, byte[] tail)
    {
        ArgumentNullException.ThrowIfNull(ns);
        ArgumentNullException.ThrowIfNull(head);
        ArgumentNullException.ThrowIfNull(tail);
        var start = new ArrayBufferWriter<byte>(16);
        SocketIOPacketWriter.WriteEventStart(start, System.Text.Encoding.UTF8.GetBytes(ns), "", hasArgument: false);
        // The start of an event packet with an empty name is 42/ns,["" : the parts must begin the same way up to the name.
        var expected = start.WrittenSpan[..^1];
        if (!head.AsSpan().StartsWith(expected) || tail.Length == 0 || tail[^1] != (byte)']')
        {
            throw new ArgumentException($"Not the parts of an event packet of {ns}: the head starts 42{ns},[\" and the tail ends ].", nameof(head));
        }
        RequireNoSeparator(head, nameof(head));
        RequireNoSeparator(tail, nameof(tail));
        return new SharedEventPacket(ns, head, tail, spliced: true);
    }

    /// <summary>
    /// The record separator 0x1E splits polling payloads; valid JSON never holds it raw, so its presence means the
    /// caller passed something that is not JSON.
    /// </summary>
    internal static void RequireNoSeparator(ReadOnlySpan<byte> json, string name)
    {
        if (json.Contains((byte)0x1E))
        {
            throw new ArgumentException("JSON holds a raw 0x1E (record separator); it must be escaped.", name);
        }
    }
}
