namespace SpinPet.EndToEnd.Tests.Cluster;

/// <summary>
/// The cluster tests run alone, after the other end-to-end tests: each one runs five server processes and nats-server on
/// two cores, which would push other tests' time bounds (a trade drawn within 2 s on the chart page) past them.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ClusterCollection
{
    public const string Name = "Cluster";
}
