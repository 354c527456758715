using System.Text.Json;
using System.Text.Json.Serialization;

namespace SpinPet.Solana.Rpc;

/// <summary>One entry of <c>getSignaturesForAddress</c> (newest first).</summary>
public sealed record SignatureInfo(
    [property: JsonPropertyName("signature")] string Signature,
    [property: JsonPropertyName("slot")] ulong Slot,
    [property: JsonPropertyName("err")] JsonElement? Err,
    [property: JsonPropertyName("blockTime")] long? BlockTime)
{
    public bool Failed => Err is { ValueKind: not JsonValueKind.Null and not JsonValueKind.Undefined };
}

/// <summary>The parts of <c>getTransaction</c> the indexer reads.</summary>
public sealed record TransactionInfo(
    [property: JsonPropertyName("slot")] ulong Slot,
    [property: JsonPropertyName("blockTime")] long? BlockTime,
    [property: JsonPropertyName("meta")] TransactionMeta? Meta);

public sealed record TransactionMeta(
    [property: JsonPropertyName("err")] JsonElement? Err,
    [property: JsonPropertyName("logMessages")] IReadOnlyList<string>? LogMessages)
{
    public bool Failed => Err is { ValueKind: not JsonValueKind.Null and not JsonValueKind.Undefined };
}

internal sealed record RpcError(
    [property: JsonPropertyName("code")] long Code,
    [property: JsonPropertyName("message")] string? Message);

internal sealed record RpcResponse<T>(
    [property: JsonPropertyName("result")] T? Result,
    [property: JsonPropertyName("error")] RpcError? Error);

[JsonSerializable(typeof(RpcResponse<SignatureInfo[]>))]
[JsonSerializable(typeof(RpcResponse<TransactionInfo>))]
[JsonSerializable(typeof(RpcResponse<long?>))]
[JsonSerializable(typeof(RpcResponse<ulong>))]
[JsonSerializable(typeof(RpcResponse<string>))]
internal sealed partial class RpcJsonContext : JsonSerializerContext;
