namespace SpinPet.Server.Cluster;

/// <summary>A cluster node that must not start as configured (its store cannot follow the stream); Program prints one line and exits 2.</summary>
internal sealed class ClusterStartException : Exception
{
    public ClusterStartException()
    {
    }

    public ClusterStartException(string message)
        : base(message)
    {
    }

    public ClusterStartException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
