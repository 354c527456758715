using System.Text.Encodings.Web;
using System.Text.Json;

namespace SpinPet.ChainSimulator.Rpc;

/// <summary>JSON-RPC 2.0 framing shared by the HTTP endpoint and PubSub: error codes, envelope, request parsing.</summary>
internal static class JsonRpc
{
    public const int ParseError = -32700;
    public const int InvalidRequest = -32600;
    public const int MethodNotFound = -32601;
    public const int InvalidParams = -32602;
    public const int InternalError = -32603;

    // Solana's server error codes.
    public const int BlockCleanedUp = -32001;
    public const int BlockNotAvailable = -32004;
    public const int SlotSkipped = -32007;
    public const int UnsupportedTransactionVersion = -32015;

    /// <summary>
    /// Escapes only what JSON requires, as a node's serde_json does: base64's '+' and '/' and UTF-8 text go out
    /// as they are, not as \u escapes.
    /// </summary>
    public static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static readonly JsonDocumentOptions ReaderOptions = new() { MaxDepth = 32 };

    public static RpcError InvalidParamsError(string detail) => new(InvalidParams, "Invalid params: " + detail);

    /// <summary>Checks the envelope: an object with <c>"jsonrpc":"2.0"</c> and a string method.</summary>
    public static bool TryReadCall(JsonElement element, out RpcCall call)
    {
        call = default;
        if (element.ValueKind != JsonValueKind.Object)
        {
            return false;
        }
        element.TryGetProperty("id", out var id);
        if (!element.TryGetProperty("jsonrpc", out var version) || version.ValueKind != JsonValueKind.String || !version.ValueEquals("2.0")
            || !element.TryGetProperty("method", out var method) || method.ValueKind != JsonValueKind.String)
        {
            call = new RpcCall(string.Empty, default, id);
            return false;
        }
        element.TryGetProperty("params", out var parameters);
        call = new RpcCall(method.GetString()!, parameters, id);
        return true;
    }

    public static void WriteResponseStart(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString("jsonrpc", "2.0");
    }

    public static void WriteResponseEnd(Utf8JsonWriter writer, JsonElement id)
    {
        writer.WritePropertyName("id");
        if (id.ValueKind is JsonValueKind.Number or JsonValueKind.String)
        {
            id.WriteTo(writer);
        }
        else
        {
            writer.WriteNullValue();
        }
        writer.WriteEndObject();
    }

    public static void WriteError(Utf8JsonWriter writer, RpcError error)
    {
        writer.WriteStartObject("error");
        writer.WriteNumber("code", error.Code);
        writer.WriteString("message", error.Message);
        writer.WriteEndObject();
    }

    /// <summary>A whole error response: <c>{"jsonrpc":"2.0","error":{…},"id":…}</c>.</summary>
    public static void WriteErrorResponse(Utf8JsonWriter writer, RpcError error, JsonElement id)
    {
        WriteResponseStart(writer);
        WriteError(writer, error);
        WriteResponseEnd(writer, id);
    }

    /// <summary>The <paramref name="index"/>-th positional parameter, or an undefined element when absent.</summary>
    public static JsonElement Param(JsonElement parameters, int index) =>
        parameters.ValueKind == JsonValueKind.Array && parameters.GetArrayLength() > index ? parameters[index] : default;
}
