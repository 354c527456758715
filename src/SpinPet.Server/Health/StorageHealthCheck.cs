using Microsoft.Extensions.Diagnostics.HealthChecks;
using SpinPet.Storage;

namespace SpinPet.Server.Health;

/// <summary>
/// Unhealthy when the store cannot be read or cannot be written (closed, corrupted, disk full or gone, RocksDB
/// stopped writes after a background error). Writability is proven with a real write and read-back of a health row
/// (<see cref="SpinPetStore.ProbeWrite"/>), at most once per <see cref="ProbeInterval"/>: probes polling /health every
/// second cost one tiny WAL write per 10 s, not one per request. Between probes the last probe's result stands.
/// </summary>
internal sealed class StorageHealthCheck(SpinPetStore store, TimeProvider time) : IHealthCheck
{
    /// <summary>Kubernetes probes default to every 10 s; one write per interval is invisible next to the ingest's.</summary>
    internal static readonly TimeSpan ProbeInterval = TimeSpan.FromSeconds(10);

    // UtcTicks of the last probe, claimed with a compare-exchange so that concurrent /health requests start one probe
    // and the others report the standing result (no lock is held across the write).
    private long _probedAt;
    private Exception? _probeFailure;

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        // Checked first: a store that cannot take the ingest's next batch is not ready, whatever it can still read.
        if (ProbeIfDue() is { } writeFailure)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy("storage not writable: " + writeFailure.Message, writeFailure));
        }
        try
        {
            var checkpoint = store.Meta.ReadCheckpoint();
            return Task.FromResult(HealthCheckResult.Healthy($"{store.Meta.Counters.Events} events stored; checkpoint slot {checkpoint?.Slot ?? 0}; writable"));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy("storage unreadable: " + ex.Message, ex));
        }
    }

    /// <summary>Writes the health row when the last probe is older than the interval; returns the standing failure.</summary>
    private Exception? ProbeIfDue()
    {
        var now = time.GetUtcNow();
        long last = Volatile.Read(ref _probedAt);
        if (now.UtcTicks - last < ProbeInterval.Ticks || Interlocked.CompareExchange(ref _probedAt, now.UtcTicks, last) != last)
        {
            return Volatile.Read(ref _probeFailure);
        }
        try
        {
            store.Meta.ProbeWrite(now.ToUnixTimeMilliseconds());
            Volatile.Write(ref _probeFailure, null);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Volatile.Write(ref _probeFailure, ex);
        }
        return Volatile.Read(ref _probeFailure);
    }
}
