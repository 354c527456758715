using System.Text.Json;
using System.Text.Json.Serialization;

namespace SpinPet.Solana.Rpc;

/// <summary>One entry of <c>getSignaturesForAddress</c> (newest first).</summary>
public sealed record SignatureInfo(
    [property: JsonPropertyName("signature")] string Signature,
    [property: JsonPropertyName("slot")] ulong Slot,
    [property: JsonPropertyName("err")] JsonElement? Err = null,
    [property: JsonPropertyName("blockTime")] long? BlockTime = null)
{
    public bool Failed => Err is { ValueKind: not JsonValueKind.Null and not JsonValueKind.Undefined };
}

/// <summary>The parts of <c>getTransaction</c> the indexer reads.</summary>
public sealed record TransactionInfo(
    [property: JsonPropertyName("slot")] ulong Slot,
    [property: JsonPropertyName("meta")] TransactionMeta? Meta,
    [property: JsonPropertyName("blockTime")] long? BlockTime = null,
    [property: JsonPropertyName("transaction")] TransactionBody? Transaction = null);

/// <summary>The transaction itself: only its signatures are read, to check that the answer is the one asked for.</summary>
public sealed record TransactionBody(
    [property: JsonPropertyName("signatures")] IReadOnlyList<string>? Signatures = null);

public sealed record TransactionMeta(
    [property: JsonPropertyName("err")] JsonElement? Err = null,
    [property: JsonPropertyName("logMessages")] IReadOnlyList<string>? LogMessages = null)
{
    public bool Failed => Err is { ValueKind: not JsonValueKind.Null and not JsonValueKind.Undefined };
}

internal sealed record RpcError(
    [property: JsonPropertyName("code")] long Code,
    [property: JsonPropertyName("message")] string? Message = null);

internal sealed record RpcResponse<T>(
    [property: JsonPropertyName("result")] T? Result = default,
    [property: JsonPropertyName("error")] RpcError? Error = null);

// Parameters without a default must be present and non-nullable ones non-null, so that an object of the wrong shape
// (`{"unexpected":true}` where a transaction belongs) is refused as garbage instead of read as slot 0 with no logs.
[JsonSourceGenerationOptions(RespectRequiredConstructorParameters = true, RespectNullableAnnotations = true)]
[JsonSerializable(typeof(RpcResponse<SignatureInfo[]>))]
[JsonSerializable(typeof(RpcResponse<TransactionInfo>))]
[JsonSerializable(typeof(RpcResponse<long?>))]
internal sealed partial class RpcJsonContext : JsonSerializerContext;
