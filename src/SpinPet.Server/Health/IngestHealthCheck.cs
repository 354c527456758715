using Microsoft.Extensions.Diagnostics.HealthChecks;
using SpinPet.Solana.Ingest;
using SpinPet.Solana.PubSub;

namespace SpinPet.Server.Health;

/// <summary>
/// Healthy when the ingest follows the chain live; degraded (still serving stored data) with the reason when the
/// node is unreachable or a backfill is running. Read from the ingest's state, never by calling the RPC.
/// </summary>
internal sealed class IngestHealthCheck(IngestStatus status) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var data = new Dictionary<string, object>
        {
            ["connection"] = status.ConnectionState.ToString().ToLowerInvariant(),
            ["last_processed_slot"] = status.LastProcessedSlot,
            ["chain_slot"] = status.ChainSlot,
        };
        HealthCheckResult result;
        if (!status.Enabled)
        {
            result = HealthCheckResult.Healthy("event listener disabled: serving stored data", data);
        }
        else if (status.ConnectionState != PubSubState.Subscribed)
        {
            result = HealthCheckResult.Degraded($"RPC node unreachable ({status.ConnectionState.ToString().ToLowerInvariant()}): {status.ConnectionError ?? status.LastError ?? "connecting"}", data: data);
        }
        else if (status.Backfilling)
        {
            result = HealthCheckResult.Degraded($"backfill running: {status.BackfillTransactionsApplied} of {status.BackfillSignaturesFound} transactions applied", data: data);
        }
        else if (status.LastError is { } error)
        {
            result = HealthCheckResult.Degraded($"ingest retrying after an error: {error}", data: data);
        }
        else
        {
            result = HealthCheckResult.Healthy("following the chain live", data);
        }
        return Task.FromResult(result);
    }
}
