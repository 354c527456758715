using System.Text.Json;

namespace SpinPet.ChainSimulator.Rpc;

/// <summary>One JSON-RPC call; <see cref="Params"/> and <see cref="Id"/> are undefined when absent.</summary>
internal readonly record struct RpcCall(string Method, JsonElement Params, JsonElement Id);
