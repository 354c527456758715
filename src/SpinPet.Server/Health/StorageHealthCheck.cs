using Microsoft.Extensions.Diagnostics.HealthChecks;
using SpinPet.Storage;

namespace SpinPet.Server.Health;

/// <summary>Unhealthy when the store cannot be read (closed, corrupted, disk gone).</summary>
internal sealed class StorageHealthCheck(SpinPetStore store) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var checkpoint = store.ReadCheckpoint();
            return Task.FromResult(HealthCheckResult.Healthy($"{store.Counters.Events} events stored; checkpoint slot {checkpoint?.Slot ?? 0}"));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy("storage unreadable: " + ex.Message, ex));
        }
    }
}
