using System.Collections.Frozen;
using System.Globalization;
using System.Text.Json;
using SpinPet.ChainSimulator.Chain;
using SpinPet.Core.Chain;

namespace SpinPet.ChainSimulator.Rpc;

/// <summary>
/// Writes the <c>"result"</c> property of a successful call, or returns the error without writing anything.
/// </summary>
internal delegate RpcError? RpcMethod(JsonElement parameters, Utf8JsonWriter writer);

/// <summary>
/// The HTTP JSON-RPC methods of shared/spec/solana-rpc.md (plus getVersion, which clients probe on connect),
/// answering with a node's shapes and error codes. Result objects list keys alphabetically because a node's
/// responses pass through serde_json's sorted map.
/// </summary>
internal sealed class RpcMethods
{
    public const int MaxSignaturesLimit = 1000;

    private readonly Ledger _ledger;
    private readonly string _programId;
    private readonly SimulatorFaults _faults;
    private readonly SimulatorStats _stats;

    public RpcMethods(SimulatorOptions options, Ledger ledger, SimulatorFaults faults, SimulatorStats stats)
    {
        _ledger = ledger;
        _faults = faults;
        _stats = stats;
        _programId = options.ProgramId;
        Table = new Dictionary<string, RpcMethod>(StringComparer.Ordinal)
        {
            ["getHealth"] = GetHealth,
            ["getVersion"] = GetVersion,
            ["getSlot"] = GetSlot,
            ["getBlockTime"] = GetBlockTime,
            ["getSignaturesForAddress"] = GetSignaturesForAddress,
            ["getTransaction"] = GetTransaction,
        }.ToFrozenDictionary(StringComparer.Ordinal);
    }

    public FrozenDictionary<string, RpcMethod> Table { get; }

    private static RpcError? GetHealth(JsonElement parameters, Utf8JsonWriter writer)
    {
        writer.WriteString("result", "ok");
        return null;
    }

    private static RpcError? GetVersion(JsonElement parameters, Utf8JsonWriter writer)
    {
        writer.WriteStartObject("result");
        writer.WriteNumber("feature-set", 3294202862u);
        writer.WriteString("solana-core", "2.3.6");
        writer.WriteEndObject();
        return null;
    }

    private RpcError? GetSlot(JsonElement parameters, Utf8JsonWriter writer)
    {
        if (CommitmentParser.Read(JsonRpc.Param(parameters, 0), confirmedOrAbove: false, out var commitment) is { } error)
        {
            return error;
        }
        writer.WriteNumber("result", CommitmentParser.VisibleTip(commitment, _ledger.Tip, _ledger.GenesisSlot));
        return null;
    }

    private RpcError? GetBlockTime(JsonElement parameters, Utf8JsonWriter writer)
    {
        var slotParam = JsonRpc.Param(parameters, 0);
        if (slotParam.ValueKind != JsonValueKind.Number || !slotParam.TryGetUInt64(out ulong slot))
        {
            return JsonRpc.InvalidParamsError("invalid type: expected u64 slot");
        }
        switch (_ledger.FindBlockTime(slot, out long blockTime))
        {
            case BlockTimeLookup.Found:
                writer.WriteNumber("result", _faults.AnsweredBlockTime(blockTime));
                return null;
            case BlockTimeLookup.Skipped:
                return new RpcError(JsonRpc.SlotSkipped, Invariant($"Slot {slot} was skipped, or missing due to ledger jump to recent snapshot"));
            case BlockTimeLookup.BeforeGenesis:
                return new RpcError(JsonRpc.BlockCleanedUp, Invariant($"Block {slot} cleaned up, does not exist on node. First available block: {_ledger.GenesisSlot}"));
            default:
                return new RpcError(JsonRpc.BlockNotAvailable, Invariant($"Block not available for slot {slot}"));
        }
    }

    private RpcError? GetSignaturesForAddress(JsonElement parameters, Utf8JsonWriter writer)
    {
        var addressParam = JsonRpc.Param(parameters, 0);
        if (addressParam.ValueKind != JsonValueKind.String || !PublicKey.TryParse(addressParam.GetString(), out _))
        {
            return new RpcError(JsonRpc.InvalidParams, "Invalid param: Invalid");
        }
        var config = JsonRpc.Param(parameters, 1);
        if (CommitmentParser.Read(config, confirmedOrAbove: true, out var commitment) is { } commitmentError)
        {
            return commitmentError;
        }
        int limit = MaxSignaturesLimit;
        string? before = null;
        string? until = null;
        if (config.ValueKind == JsonValueKind.Object)
        {
            if (config.TryGetProperty("limit", out var limitValue) && limitValue.ValueKind != JsonValueKind.Null)
            {
                if (limitValue.ValueKind != JsonValueKind.Number || !limitValue.TryGetInt32(out limit) || limit is < 1 or > MaxSignaturesLimit)
                {
                    return new RpcError(JsonRpc.InvalidParams, "Invalid limit; max 1000");
                }
            }
            if (ReadSignature(config, "before", out before) is { } beforeError)
            {
                return beforeError;
            }
            if (ReadSignature(config, "until", out until) is { } untilError)
            {
                return untilError;
            }
        }

        writer.WriteStartArray("result");
        // Another valid address has no SpinPet history here; a node would answer with that address's own list.
        if (addressParam.ValueEquals(_programId))
        {
            ulong tip = _ledger.Tip;
            ulong finalized = CommitmentParser.VisibleTip(Commitment.Finalized, tip, _ledger.GenesisSlot);
            ulong visible = CommitmentParser.VisibleTip(commitment, tip, _ledger.GenesisSlot);
            int answered = _faults.IgnoreSignatureLimit ? MaxSignaturesLimit : _faults.ShortenSignaturePage(limit);
            foreach (var transaction in _ledger.PageNewestFirst(_faults.IgnoreSignaturesBefore ? null : before, until, answered, visible))
            {
                writer.WriteStartObject();
                writer.WriteNumber("blockTime", _faults.AnsweredBlockTime(transaction.BlockTime));
                writer.WriteString("confirmationStatus", transaction.Slot <= finalized ? "finalized" : "confirmed");
                WriteError(writer, transaction.Error);
                writer.WriteNull("memo");
                writer.WriteString("signature", transaction.Signature);
                writer.WriteNumber("slot", transaction.Slot);
                writer.WriteEndObject();
            }
        }
        writer.WriteEndArray();
        return null;
    }

    private RpcError? GetTransaction(JsonElement parameters, Utf8JsonWriter writer)
    {
        var signatureParam = JsonRpc.Param(parameters, 0);
        if (signatureParam.ValueKind != JsonValueKind.String || !TxSignature.TryParse(signatureParam.GetString(), out _))
        {
            return new RpcError(JsonRpc.InvalidParams, "Invalid param: Invalid");
        }
        var config = JsonRpc.Param(parameters, 1);
        if (CommitmentParser.Read(config, confirmedOrAbove: true, out var commitment) is { } commitmentError)
        {
            return commitmentError;
        }
        string encoding = "json";
        if (config.ValueKind == JsonValueKind.String)
        {
            // The deprecated form: the second parameter is the encoding itself.
            encoding = config.GetString()!;
        }
        else if (config.ValueKind == JsonValueKind.Object && config.TryGetProperty("encoding", out var encodingValue) && encodingValue.ValueKind == JsonValueKind.String)
        {
            encoding = encodingValue.GetString()!;
        }
        if (encoding != "json")
        {
            return JsonRpc.InvalidParamsError($"the simulator serves only the json encoding, not `{encoding}`");
        }
        var transaction = _ledger.Find(signatureParam.GetString()!);
        ulong visible = CommitmentParser.VisibleTip(commitment, _ledger.Tip, _ledger.GenesisSlot);
        if (transaction is null || transaction.Slot > visible)
        {
            writer.WriteNull("result");
            return null;
        }
        // Every SpinPet transaction is a v0 transaction; a client that does not opt in cannot read it.
        if (config.ValueKind != JsonValueKind.Object || !config.TryGetProperty("maxSupportedTransactionVersion", out var version)
            || version.ValueKind != JsonValueKind.Number || !version.TryGetInt32(out int maxVersion) || maxVersion < 0)
        {
            return new RpcError(JsonRpc.UnsupportedTransactionVersion,
                "Transaction version (0) is not supported by the requesting client. Please try the request again with the following configuration parameter: \"maxSupportedTransactionVersion\": 0");
        }
        var incomplete = _faults.NextIncompleteTransaction();
        if (incomplete is not null)
        {
            _stats.IncompleteTransactionSent();
        }
        if (incomplete == IncompleteTransaction.OtherTransaction)
        {
            // Any other transaction of the ledger will do: the newest one, or the oldest when this is the newest.
            var other = _ledger.PageNewestFirst(null, null, 2, ulong.MaxValue).FirstOrDefault(t => t.Signature != transaction.Signature);
            transaction = other ?? transaction;
        }
        writer.WritePropertyName("result");
        TransactionJson.Write(writer, transaction, _faults.AnsweredBlockTime(transaction.BlockTime), incomplete);
        return null;
    }

    private static RpcError? ReadSignature(JsonElement config, string name, out string? signature)
    {
        signature = null;
        if (!config.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        if (value.ValueKind != JsonValueKind.String || !TxSignature.TryParse(value.GetString(), out _))
        {
            return new RpcError(JsonRpc.InvalidParams, "Invalid param: Invalid");
        }
        signature = value.GetString();
        return null;
    }

    internal static void WriteError(Utf8JsonWriter writer, TransactionError? error)
    {
        writer.WritePropertyName("err");
        if (error is null)
        {
            writer.WriteNullValue();
        }
        else
        {
            error.WriteTo(writer);
        }
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
