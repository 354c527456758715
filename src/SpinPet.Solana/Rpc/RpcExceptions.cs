namespace SpinPet.Solana.Rpc;

/// <summary>The node answered with a JSON-RPC error object (not retried by the client itself).</summary>
public sealed class RpcErrorException(string method, long code, string message)
    : Exception($"{method}: RPC error {code}: {message}")
{
    public long Code { get; } = code;

    public string RpcMessage { get; } = message;

    /// <summary>-32004 "block not available" / -32005 "node behind": the node may have it a moment later.</summary>
    public bool IsTransient => Code is -32004 or -32005 or -32014 or -32016;
}

/// <summary>The node could not be reached or kept failing (timeouts, 429, 5xx, garbage) after every retry.</summary>
public sealed class RpcUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
