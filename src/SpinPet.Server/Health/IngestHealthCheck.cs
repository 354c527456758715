using Microsoft.Extensions.Diagnostics.HealthChecks;
using SpinPet.Solana.Ingest;
using SpinPet.Solana.PubSub;

namespace SpinPet.Server.Health;

/// <summary>
/// Healthy exactly when the ingest is caught up (<see cref="IngestStatus.CaughtUp"/>: nothing known on chain is
/// unapplied), the state in which the wall clock may finalize candles; degraded otherwise (still serving stored
/// data), with the reason: the node unreachable, a backfill running or pending, a failure being retried, or
/// notifications waiting to be applied. Read from the ingest's state, never by calling the RPC.
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
        else if (status.CaughtUp)
        {
            result = HealthCheckResult.Healthy("following the chain live", data);
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
        else if (status.BackfillPending)
        {
            result = HealthCheckResult.Degraded("backfill pending: the live stream has a gap to close", data: data);
        }
        else
        {
            result = HealthCheckResult.Degraded($"catching up: {status.Backlog.LiveItems} live notifications not applied yet", data: data);
        }
        return Task.FromResult(result);
    }
}
