using System.Diagnostics.Metrics;
using SpinPet.Cluster;
using SpinPet.Cluster.Lease;
using SpinPet.Cluster.Streams;

namespace SpinPet.Server.Observability;

/// <summary>
/// The cluster's instruments, on the server's meter (<see cref="SpinPetMetrics.MeterName"/>), observed only when
/// scraped: the stream lag, the applied position, whether this node holds the ingest lease (its node id is a tag, and
/// in the logs), and the follower's epoch changes, restarts and dropped messages.
/// </summary>
internal sealed class ClusterMetrics : IDisposable
{
    private readonly Meter _meter = new(SpinPetMetrics.MeterName);

    public ClusterMetrics(StreamFollower follower, IngestLease lease, ClusterSettings settings)
    {
        var node = new KeyValuePair<string, object?>("node_id", settings.NodeId);
        _meter.CreateObservableGauge("spinpet.cluster.stream_lag", () => new Measurement<long>(follower.Lag, node), "{message}", "Messages of the cluster stream not consumed yet by this node.");
        _meter.CreateObservableGauge("spinpet.cluster.applied_seq", () => new Measurement<long>(follower.Position.Seq, node), "{message}", "Stream sequence of the newest batch applied to this node's store.");
        _meter.CreateObservableGauge("spinpet.cluster.stream_last_seq", () => new Measurement<long>(follower.StreamLastSeq, node), "{message}", "The cluster stream's last sequence as last seen.");
        _meter.CreateObservableGauge("spinpet.cluster.is_leader", () => new Measurement<int>(lease.IsHeld ? 1 : 0, node), "{boolean}", "1 while this node holds the ingest lease and publishes.");
        _meter.CreateObservableCounter("spinpet.cluster.lease_terms", () => new Measurement<long>(lease.Terms, node), "{term}", "Ingest lease terms this node began.");
        _meter.CreateObservableCounter("spinpet.cluster.epoch_changes", () => new Measurement<long>(follower.EpochChanges, node), "{epoch}", "Stream epochs adopted (a new store, or the stream recreated).");
        _meter.CreateObservableCounter("spinpet.cluster.follower_restarts", () => new Measurement<long>(follower.Restarts, node), "{restart}", "Times the follower started over from the stored position (a gap, an error, a recreated stream).");
        _meter.CreateObservableCounter("spinpet.cluster.dropped_messages", () => new Measurement<long>(follower.Dropped, node), "{message}", "Stream messages consumed and not applied: parts of unfinished batches, strays, undecodable batches.");
    }

    public void Dispose() => _meter.Dispose();
}
