using System.Runtime.InteropServices;
using SpinPet.ChainSimulator;

// The offline demo and benchmark source: a SpinPet "mainnet" on loopback in real time until Ctrl+C.
if (!CommandLine.TryParse(args, out var commandLine, out string? problem))
{
    if (problem is null)
    {
        Console.WriteLine(CommandLine.Usage);
        return 0;
    }
    Console.Error.WriteLine(problem);
    Console.Error.WriteLine(CommandLine.Usage);
    return 2;
}

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};
// `docker stop` and service managers send SIGTERM: shut down as cleanly as on Ctrl+C.
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
{
    context.Cancel = true;
    stop.Cancel();
});

await using var simulator = new ChainSimulator(commandLine.Options);
await simulator.StartAsync(stop.Token);
Console.WriteLine($"SpinPet chain simulator, program {commandLine.Options.ProgramId}, seed {commandLine.Options.Seed}");
Console.WriteLine($"  RPC     {simulator.RpcUri}");
Console.WriteLine($"  PubSub  {simulator.WsUri}");
Console.WriteLine($"  {commandLine.TransactionsPerSecond} tx/s over {commandLine.Options.MintCount} mints; Ctrl+C to stop");

await Task.WhenAll(simulator.RunAsync(commandLine.TransactionsPerSecond, stop.Token), StatusLine.RunAsync(simulator, stop.Token));
return 0;
