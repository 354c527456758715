namespace SpinPet.Storage;

/// <summary>
/// A row read back from the store does not have the layout this version writes (unknown format version, too
/// short, wrong key length). Storage is damaged or was written by an incompatible version; nothing is guessed.
/// </summary>
public sealed class StoreCorruptedException : Exception
{
    public StoreCorruptedException(string message)
        : base(message)
    {
    }

    public StoreCorruptedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public StoreCorruptedException()
        : base("The store holds a row it cannot read.")
    {
    }

    internal static StoreCorruptedException Row(string columnFamily, ReadOnlySpan<byte> key, string reason) =>
        new($"Corrupted row in column family '{columnFamily}' at key {Convert.ToHexString(key)}: {reason}.");
}
