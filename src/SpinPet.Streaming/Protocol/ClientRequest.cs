using System.Buffers;
using System.Text;
using System.Text.Json;
using SpinPet.Core.Stream;

namespace SpinPet.Streaming.Protocol;

public enum RequestKind
{
    Subscribe,
    Unsubscribe,
    History,
    Ping,
    SubscribeEvents,
    UnsubscribeEvents,
}

/// <summary>
/// A parsed client message. Parsing is strict about types (a number where a string belongs is an error naming the
/// field) and lenient about extra fields (ignored), so newer clients keep working.
/// </summary>
public sealed record ClientRequest(
    RequestKind Kind,
    string? Symbol,
    string? Interval,
    string? SubscriptionId,
    long? Limit,
    long? From,
    long? Before)
{
    /// <summary>
    /// Where a <c>subscribe</c> or <c>subscribe_events</c> asks to resume from (<c>"resume":{"epoch":…,"seq":…}</c>, protocol.md "Position and
    /// resume"); null when absent or null.
    /// </summary>
    public StreamPosition? Resume { get; init; }

    /// <summary>The longest <c>resume.epoch</c> accepted: an epoch is 32 hex digits here; 128 leaves room for a cluster's stream names.</summary>
    public const int MaxEpochLength = 128;

    /// <summary>Parses one text message; on failure <paramref name="error"/> says what is wrong, for a 1001.</summary>
    public static ClientRequest? TryParse(ReadOnlySpan<byte> utf8, out string? error) => TryParse(utf8, null, out error);

    /// <summary>
    /// Parses a request whose kind the transport already named (a Socket.IO event's name, <paramref name="kind"/>):
    /// its object needs no <c>msg_type</c>, and one it carries is ignored. Null: the kind is the object's <c>msg_type</c>.
    /// </summary>
    public static ClientRequest? TryParse(ReadOnlySpan<byte> utf8, RequestKind? kind, out string? error)
    {
        error = null;
        string? msgType = null, symbol = null, interval = null, subscriptionId = null;
        long? limit = null, from = null, before = null;
        StreamPosition? resume = null;
        try
        {
            var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = 8 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                error = "Malformed request: expected a JSON object";
                return null;
            }
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.GetString();
                reader.Read();
                switch (name)
                {
                    case "msg_type":
                        msgType = ReadString(ref reader, name, ref error);
                        break;
                    case "symbol":
                        symbol = ReadString(ref reader, name, ref error);
                        break;
                    case "interval":
                        interval = ReadString(ref reader, name, ref error);
                        break;
                    case "subscription_id":
                        subscriptionId = ReadSubscriptionId(ref reader, ref error);
                        break;
                    case "limit":
                        limit = ReadInteger(ref reader, name, ref error);
                        break;
                    case "from":
                        from = ReadInteger(ref reader, name, ref error);
                        break;
                    case "before":
                        before = ReadInteger(ref reader, name, ref error);
                        break;
                    case "resume":
                        resume = ReadResume(ref reader, ref error);
                        break;
                    default:
                        reader.Skip();
                        break;
                }
                if (error is not null)
                {
                    return null;
                }
            }
            if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
            {
                error = "Malformed request: one JSON object per message";
                return null;
            }
        }
        catch (JsonException)
        {
            error = "Malformed request: not valid JSON";
            return null;
        }
        kind ??= msgType switch
        {
            "subscribe" => RequestKind.Subscribe,
            "unsubscribe" => RequestKind.Unsubscribe,
            "history" => RequestKind.History,
            "ping" => RequestKind.Ping,
            "subscribe_events" => RequestKind.SubscribeEvents,
            "unsubscribe_events" => RequestKind.UnsubscribeEvents,
            _ => null,
        };
        if (kind is null)
        {
            error = msgType is null
                ? "Invalid request: msg_type is required (subscribe, unsubscribe, history, ping, subscribe_events or unsubscribe_events)"
                : $"Unknown msg_type: {Shorten(msgType)}, must be one of: subscribe, unsubscribe, history, ping, subscribe_events, unsubscribe_events";
            return null;
        }
        return new ClientRequest(kind.Value, symbol, interval, subscriptionId, limit, from, before) { Resume = resume };
    }

    private static string? ReadString(ref Utf8JsonReader reader, string name, ref string? error)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.String:
                return reader.GetString();
            case JsonTokenType.Null:
                return null;
            default:
                error = $"Invalid request: {name} must be a string";
                reader.Skip();
                return null;
        }
    }

    /// <summary>
    /// A <c>subscription_id</c>: null, or at most <see cref="MaxSubscriptionIdLength"/> characters of
    /// <c>[A-Za-z0-9_.:-]</c>. Checked on the UTF-8 bytes before any string is made, so a 64 KB id costs no
    /// allocation; the error does not echo it.
    /// </summary>
    private static string? ReadSubscriptionId(ref Utf8JsonReader reader, ref string? error)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }
        if (reader.TokenType != JsonTokenType.String)
        {
            error = "Invalid request: subscription_id must be a string";
            reader.Skip();
            return null;
        }
        // An escaped character is at most 6 bytes (\uXXXX); longer raw values cannot be 64 characters.
        Span<byte> id = stackalloc byte[MaxSubscriptionIdLength];
        int length = -1;
        if (!reader.ValueIsEscaped)
        {
            if (reader.ValueSpan.Length <= MaxSubscriptionIdLength)
            {
                reader.ValueSpan.CopyTo(id);
                length = reader.ValueSpan.Length;
            }
        }
        else if (reader.ValueSpan.Length <= MaxSubscriptionIdLength * 6)
        {
            Span<byte> unescaped = stackalloc byte[MaxSubscriptionIdLength * 6];
            int written = reader.CopyString(unescaped);
            if (written <= MaxSubscriptionIdLength)
            {
                unescaped[..written].CopyTo(id);
                length = written;
            }
        }
        if (length < 0 || id[..length].ContainsAnyExcept(SubscriptionIdBytes))
        {
            error = $"Invalid subscription_id: at most {MaxSubscriptionIdLength} characters of A-Z a-z 0-9 _ . : -";
            return null;
        }
        return Encoding.ASCII.GetString(id[..length]);
    }

    /// <summary>
    /// A <c>resume</c>: null, or an object with a non-empty <c>epoch</c> string of at most <see cref="MaxEpochLength"/>
    /// characters (checked before a string is made; never echoed) and an integer <c>seq</c> ≥ 0. Other fields in it are
    /// ignored, like unknown fields anywhere.
    /// </summary>
    private static StreamPosition? ReadResume(ref Utf8JsonReader reader, ref string? error)
    {
        const string Shape = "Invalid resume: expected {\"epoch\":string,\"seq\":integer ≥ 0}";
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            error = Shape;
            reader.Skip();
            return null;
        }
        string? epoch = null;
        long? seq = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            bool isEpoch = reader.ValueTextEquals("epoch"u8), isSeq = reader.ValueTextEquals("seq"u8);
            reader.Read();
            if (isEpoch)
            {
                // An escaped character is at most 6 bytes; anything longer than that many cannot be MaxEpochLength characters.
                if (reader.TokenType != JsonTokenType.String || reader.ValueSpan.Length > MaxEpochLength * 6)
                {
                    error = Shape;
                }
                else
                {
                    epoch = reader.GetString();
                    if (epoch!.Length is 0 or > MaxEpochLength)
                    {
                        error = $"Invalid resume: epoch must be 1..{MaxEpochLength} characters";
                    }
                }
            }
            else if (isSeq)
            {
                if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var value) && value >= 0)
                {
                    seq = value;
                }
                else
                {
                    error = Shape;
                }
            }
            if (error is not null)
            {
                return null;
            }
            reader.Skip();
        }
        if (epoch is null || seq is null)
        {
            error = Shape;
            return null;
        }
        return new StreamPosition(epoch, seq.Value);
    }

    private static long? ReadInteger(ref Utf8JsonReader reader, string name, ref string? error)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Number when reader.TryGetInt64(out var value):
                return value;
            case JsonTokenType.Null:
                return null;
            default:
                error = $"Invalid request: {name} must be an integer";
                reader.Skip();
                return null;
        }
    }

    /// <summary>The longest <c>subscription_id</c> accepted (protocol.md, "Limits on what a client sends").</summary>
    public const int MaxSubscriptionIdLength = 64;

    private static readonly SearchValues<byte> SubscriptionIdBytes =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.:-"u8);

    internal static string Shorten(string text) => text.Length <= 32 ? text : text[..32] + "…";
}
