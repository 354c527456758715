using Microsoft.Extensions.Diagnostics.HealthChecks;
using SpinPet.Cluster;
using SpinPet.Cluster.Lease;
using SpinPet.Cluster.Streams;
using SpinPet.Solana.Ingest;

namespace SpinPet.Server.Cluster;

/// <summary>
/// Readiness of a cluster node (shared/spec/cluster.md): unhealthy (503, out of the load balancer) until it follows the
/// stream's current epoch within <c>cluster.max_ready_lag</c> messages of its end; degraded ("stale", still 200 and
/// serving what it has) while the stream is unreachable after it was ready once; healthy otherwise. The leader adds
/// the ingest's state to the description. Read from the follower's figures, never by calling NATS.
/// </summary>
internal sealed class ClusterHealthCheck(StreamFollower follower, IngestLease lease, IngestStatus ingest, ClusterSettings settings) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var data = new Dictionary<string, object>
        {
            ["node_id"] = settings.NodeId,
            ["leader"] = lease.IsHeld,
            ["epoch"] = follower.Epoch ?? "",
            ["applied_seq"] = follower.Position.Seq,
            ["consumed_seq"] = follower.ConsumedSeq,
            ["stream_last_seq"] = follower.StreamLastSeq,
            ["lag"] = follower.Lag,
        };
        string role = lease.IsHeld ? $"ingest leader ({(ingest.CaughtUp ? "following the chain live" : "ingest catching up")})" : "following";
        HealthCheckResult result;
        if (follower.IsWithin(settings.MaxReadyLag))
        {
            result = HealthCheckResult.Healthy($"{role}: {follower.Lag} messages behind the stream's end (seq {follower.StreamLastSeq})", data);
        }
        else if (!follower.Reachable && follower.WasReady)
        {
            result = HealthCheckResult.Degraded($"stale: the stream is unreachable; serving what was applied up to seq {follower.ConsumedSeq}", data: data);
        }
        else if (!follower.Reachable)
        {
            result = HealthCheckResult.Unhealthy("not ready: the stream is unreachable and this node never caught up with it", data: data);
        }
        else if (follower.Epoch is null)
        {
            result = HealthCheckResult.Unhealthy("not ready: not following the stream yet (starting, or no ingest leader has created it)", data: data);
        }
        else
        {
            result = HealthCheckResult.Unhealthy($"not ready: {follower.Lag} messages behind the stream's end (ready within {settings.MaxReadyLag})", data: data);
        }
        return Task.FromResult(result);
    }
}
