using SpinPet.ChainSimulator;
using SpinPet.Server.Configuration;
using SpinPet.Server.Hosting;

namespace SpinPet.Server.Simulation;

/// <summary>
/// The offline demo: a chain simulator on loopback, started before the host is built so that its (possibly
/// ephemeral) ports become the configured RPC node. Each run simulates a new chain, so it indexes into its own
/// folder (<c>{database.rocksdb_path}-simulator</c>), emptied at start; real data is never touched.
/// </summary>
internal static partial class SimulatorMode
{
    public static async Task<ChainSimulator.ChainSimulator?> StartIfRequestedAsync(WebApplicationBuilder builder, RunMode mode)
    {
        var settings = builder.Configuration.GetSection(SimulatorSettings.Section).Get<SimulatorSettings>() ?? new SimulatorSettings();
        if (!mode.Simulator && !settings.Enabled)
        {
            return null;
        }
        var simulator = new ChainSimulator.ChainSimulator(new SimulatorOptions
        {
            ProgramId = builder.Configuration["solana:program_id"] ?? new SimulatorOptions().ProgramId,
            Seed = unchecked((int)settings.Seed),
            MintCount = settings.Mints,
            RpcPort = settings.RpcPort,
            WsPort = settings.WsPort,
            Clock = SimulatorClock.Wall,
        });
        await simulator.StartAsync();

        var database = (builder.Configuration["database:rocksdb_path"] ?? "./data/rocksdb").TrimEnd('/', '\\') + "-simulator";
        if (Directory.Exists(database))
        {
            Directory.Delete(database, recursive: true);
        }
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["solana:rpc_url"] = simulator.RpcUri.ToString(),
            ["solana:ws_url"] = simulator.WsUri.ToString(),
            ["database:rocksdb_path"] = database,
            ["simulator:enabled"] = "true",
        });
        builder.Services.AddSingleton(simulator);
        builder.Services.AddSingleton(settings);
        builder.Services.AddHostedService<SimulatorRunner>();
        return simulator;
    }
}
