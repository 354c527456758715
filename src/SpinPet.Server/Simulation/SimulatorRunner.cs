using SpinPet.Server.Configuration;

namespace SpinPet.Server.Simulation;

/// <summary>Produces simulated blocks in real time for the life of the host, then shuts the simulator down.</summary>
internal sealed partial class SimulatorRunner(ChainSimulator.ChainSimulator simulator, SimulatorSettings settings, ILogger<SimulatorRunner> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        LogStarted(logger, simulator.RpcUri, simulator.WsUri, settings.Tps, settings.Mints);
        try
        {
            await simulator.RunAsync(settings.Tps, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await simulator.DisposeAsync();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Chain simulator running: RPC {RpcUri}, PubSub {WsUri}, {Tps} trades/s over {Mints} mints")]
    private static partial void LogStarted(ILogger logger, Uri rpcUri, Uri wsUri, double tps, int mints);
}
