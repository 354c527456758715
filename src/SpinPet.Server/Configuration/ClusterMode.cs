namespace SpinPet.Server.Configuration;

/// <summary><c>cluster.mode</c> (shared/spec/cluster.md).</summary>
internal enum ClusterMode
{
    /// <summary>One process: ingest, storage, candles, REST and <c>/ws</c> in one place, nothing else to run.</summary>
    Single,

    /// <summary>Several processes over NATS JetStream (docs/architecture.md, "The cluster").</summary>
    Nats,
}
