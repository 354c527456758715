using SpinPet.Core.Figures;

namespace SpinPet.Solana.Rpc;

/// <summary>What went wrong talking to the node, counted for /metrics (one instrument tagged by kind) and the status route.</summary>
public sealed class RpcClientCounters
{
    public Figure RateLimited { get; } = new();

    public Figure HttpErrors { get; } = new();

    public Figure Timeouts { get; } = new();

    public Figure ConnectionErrors { get; } = new();

    /// <summary>Answers that were not the JSON-RPC shape asked for (not JSON, wrong types, a required field missing).</summary>
    public Figure Garbage { get; } = new();

    /// <summary>Answers dropped unread past <see cref="SolanaRpcClient.MaxResponseBytes"/>.</summary>
    public Figure Oversize { get; } = new();
}
