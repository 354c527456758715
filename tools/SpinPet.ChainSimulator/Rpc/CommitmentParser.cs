using System.Text.Json;

namespace SpinPet.ChainSimulator.Rpc;

/// <summary>Reads a request's commitment and the slots it can see.</summary>
internal static class CommitmentParser
{
    public const ulong FinalizationLagSlots = 32;

    /// <summary>Reads <c>commitment</c> from a config object; confirmed when absent.</summary>
    public static RpcError? Read(JsonElement config, bool confirmedOrAbove, out Commitment commitment)
    {
        commitment = Commitment.Confirmed;
        if (config.ValueKind != JsonValueKind.Object || !config.TryGetProperty("commitment", out var value))
        {
            return null;
        }
        if (value.ValueKind != JsonValueKind.String)
        {
            return JsonRpc.InvalidParamsError("commitment must be a string");
        }
        if (value.ValueEquals("processed"))
        {
            commitment = Commitment.Processed;
        }
        else if (value.ValueEquals("finalized"))
        {
            commitment = Commitment.Finalized;
        }
        else if (!value.ValueEquals("confirmed"))
        {
            return JsonRpc.InvalidParamsError($"unknown variant `{value.GetString()}`, expected one of `processed`, `confirmed`, `finalized`");
        }
        if (confirmedOrAbove && commitment == Commitment.Processed)
        {
            return new RpcError(JsonRpc.InvalidParams, "Method does not support commitment below `confirmed`");
        }
        return null;
    }

    /// <summary>The newest slot visible at <paramref name="commitment"/>.</summary>
    public static ulong VisibleTip(Commitment commitment, ulong tip, ulong genesisSlot) =>
        commitment == Commitment.Finalized
            ? Math.Max(genesisSlot - 1, tip >= FinalizationLagSlots ? tip - FinalizationLagSlots : 0)
            : tip;
}
