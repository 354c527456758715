namespace SpinPet.ChainSimulator.Rpc;

/// <summary>A JSON-RPC error: code and message.</summary>
internal readonly record struct RpcError(int Code, string Message);
