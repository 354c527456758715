namespace SpinPet.Cluster.Streams;

/// <summary>
/// A publish refused by the fence (JetStream 10071): the stream's last sequence is not the one this writer expected —
/// another leader appended, the stream was recreated, or this writer's own earlier attempt landed after the duplicate
/// window. Nothing of it was stored.
/// </summary>
public sealed class StreamFencedException : Exception
{
    public StreamFencedException()
    {
    }

    public StreamFencedException(string message)
        : base(message)
    {
    }

    public StreamFencedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
