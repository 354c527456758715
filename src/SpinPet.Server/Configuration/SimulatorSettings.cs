using Microsoft.Extensions.Configuration;

namespace SpinPet.Server.Configuration;

/// <summary>
/// <c>[simulator]</c>: the built-in chain simulator the <c>--simulator</c> run mode starts in-process
/// (named Settings so it does not clash with the simulator tool's own options type).
/// </summary>
internal sealed record SimulatorSettings
{
    public const string Section = "simulator";

    [ConfigurationKeyName("enabled")]
    public bool Enabled { get; init; }

    /// <summary>Same seed, same chain: runs are reproducible.</summary>
    [ConfigurationKeyName("seed")]
    public long Seed { get; init; } = 1;

    /// <summary>Number of simulated tokens.</summary>
    [ConfigurationKeyName("mints")]
    public int Mints { get; init; } = 8;

    /// <summary>Simulated trades per second across all mints.</summary>
    [ConfigurationKeyName("tps")]
    public double Tps { get; init; } = 20.0;

    /// <summary>0 = pick a free port.</summary>
    [ConfigurationKeyName("rpc_port")]
    public int RpcPort { get; init; }

    /// <summary>0 = pick a free port.</summary>
    [ConfigurationKeyName("ws_port")]
    public int WsPort { get; init; }
}
