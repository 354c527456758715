using Microsoft.Extensions.Options;

namespace SpinPet.Server.Configuration;

internal sealed class SimulatorSettingsValidator : IValidateOptions<SimulatorSettings>
{
    // The upper bounds catch typos (mints = 80000 meant as 8) before the simulator allocates state per mint or
    // spins a core generating trades; a demo needs tens of mints and tens of trades per second.
    private const int MaxMints = 100_000;
    private const double MaxTps = 100_000;

    public ValidateOptionsResult Validate(string? name, SimulatorSettings options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new OptionsFailures(SimulatorSettings.Section);
        failures.Range("mints", options.Mints, 1, MaxMints);
        if (!(options.Tps > 0 && options.Tps <= MaxTps))
        {
            failures.Add("tps", FormattableString.Invariant($"{options.Tps} is out of range (0..{MaxTps}]"));
        }
        failures.Range("rpc_port", options.RpcPort, 0, 65_535);
        failures.Range("ws_port", options.WsPort, 0, 65_535);
        if (options.RpcPort != 0 && options.RpcPort == options.WsPort)
        {
            failures.Add("ws_port", $"{options.WsPort} is also simulator.rpc_port; use another port or 0 (any free port)");
        }
        return failures.Result();
    }
}
