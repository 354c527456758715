using Microsoft.Extensions.Hosting;

namespace SpinPet.ChainSimulator.Hosting;

/// <summary>
/// Replaces the console lifetime: the simulator's servers live inside a test process or the demo, whose owner
/// stops them; they must not react to Ctrl+C or SIGTERM by themselves.
/// </summary>
internal sealed class QuietLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
