namespace SpinPet.Server.Configuration;

/// <summary><c>cluster.role</c> (shared/spec/cluster.md): what a node of a NATS cluster does.</summary>
internal enum ClusterRole
{
    /// <summary>Ingest and gateway in one process; the only role of <see cref="ClusterMode.Single"/>.</summary>
    All,

    /// <summary>Follows the RPC node and publishes applied batches to the stream.</summary>
    Ingest,

    /// <summary>Applies the stream into its own store and serves clients.</summary>
    Gateway,
}
