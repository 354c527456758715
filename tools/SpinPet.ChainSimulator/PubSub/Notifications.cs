using System.Buffers;
using System.Buffers.Text;
using System.Text.Json;
using SpinPet.ChainSimulator.Chain;
using SpinPet.ChainSimulator.Rpc;

namespace SpinPet.ChainSimulator.PubSub;

/// <summary>
/// PubSub message bytes. A notification is serialized once per transaction up to <c>"subscription":</c>; each
/// subscriber's copy only appends its id, so the log lines are never re-encoded per subscriber.
/// </summary>
internal static class Notifications
{
    private static readonly byte[] Closing = "}}"u8.ToArray();

    // 1,000 characters; 80 of them pad a log past what the runtime lets a transaction log (10,000 bytes).
    private static readonly string PaddingLine = "Program log: " + new string('x', 987);

    /// <summary>
    /// The notification up to its subscription id; <paramref name="withLogs"/> false writes <c>"logs": null</c>,
    /// <paramref name="padded"/> adds 80 lines of 1,000 characters to the logs.
    /// </summary>
    public static byte[] LogsPrefix(LedgerTransaction transaction, bool withLogs = true, bool padded = false)
    {
        var output = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(output, JsonRpc.WriterOptions))
        {
            StartNotification(writer, "logsNotification");
            writer.WriteStartObject("context");
            writer.WriteNumber("slot", transaction.Slot);
            writer.WriteEndObject();
            writer.WriteStartObject("value");
            writer.WriteString("signature", transaction.Signature);
            RpcMethods.WriteError(writer, transaction.Error);
            if (withLogs)
            {
                writer.WriteStartArray("logs");
                foreach (string line in transaction.Transaction.Logs)
                {
                    writer.WriteStringValue(line);
                }
                for (int i = 0; padded && i < 80; i++)
                {
                    writer.WriteStringValue(PaddingLine);
                }
                writer.WriteEndArray();
            }
            else
            {
                writer.WriteNull("logs");
            }
            writer.WriteEndObject();
            EndPrefix(writer);
        }
        return output.WrittenSpan.ToArray();
    }

    public static byte[] SlotPrefix(ulong slot, ulong parent, ulong root)
    {
        var output = new ArrayBufferWriter<byte>(128);
        using (var writer = new Utf8JsonWriter(output, JsonRpc.WriterOptions))
        {
            StartNotification(writer, "slotNotification");
            writer.WriteNumber("parent", parent);
            writer.WriteNumber("root", root);
            writer.WriteNumber("slot", slot);
            EndPrefix(writer);
        }
        return output.WrittenSpan.ToArray();
    }

    /// <summary>The prefix, the subscription id and the two closing braces.</summary>
    public static byte[] Complete(ReadOnlySpan<byte> prefix, ulong subscriptionId)
    {
        Span<byte> digits = stackalloc byte[20];
        Utf8Formatter.TryFormat(subscriptionId, digits, out int length);
        var frame = new byte[prefix.Length + length + Closing.Length];
        prefix.CopyTo(frame);
        digits[..length].CopyTo(frame.AsSpan(prefix.Length));
        Closing.CopyTo(frame.AsSpan(prefix.Length + length));
        return frame;
    }

    public static byte[] Result(JsonElement id, ulong value) => Response(id, writer => writer.WriteNumber("result", value));

    public static byte[] Result(JsonElement id, bool value) => Response(id, writer => writer.WriteBoolean("result", value));

    public static byte[] Error(JsonElement id, RpcError error) => Response(id, writer => JsonRpc.WriteError(writer, error));

    private static byte[] Response(JsonElement id, Action<Utf8JsonWriter> body)
    {
        var output = new ArrayBufferWriter<byte>(96);
        using (var writer = new Utf8JsonWriter(output, JsonRpc.WriterOptions))
        {
            JsonRpc.WriteResponseStart(writer);
            body(writer);
            JsonRpc.WriteResponseEnd(writer, id);
        }
        return output.WrittenSpan.ToArray();
    }

    private static void StartNotification(Utf8JsonWriter writer, string method)
    {
        writer.WriteStartObject();
        writer.WriteString("jsonrpc", "2.0");
        writer.WriteString("method", method);
        writer.WriteStartObject("params");
        writer.WriteStartObject("result");
    }

    // Leaves the writer inside "params" right after "subscription": — Complete() finishes the message.
    private static void EndPrefix(Utf8JsonWriter writer)
    {
        writer.WriteEndObject();
        writer.WritePropertyName("subscription");
        writer.Flush();
    }
}
