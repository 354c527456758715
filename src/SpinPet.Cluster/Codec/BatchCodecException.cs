namespace SpinPet.Cluster.Codec;

/// <summary>Bytes on the cluster stream that are not a batch of this version (a bug or a foreign publisher, never input).</summary>
public sealed class BatchCodecException : Exception
{
    public BatchCodecException()
    {
    }

    public BatchCodecException(string message)
        : base("Not a batch: " + message)
    {
    }

    public BatchCodecException(string message, Exception innerException)
        : base("Not a batch: " + message, innerException)
    {
    }
}
