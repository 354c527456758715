namespace SpinPet.Storage;

/// <summary>
/// RocksDB refused to open the store: files missing or damaged, another process holding its lock, no permission.
/// The message names the folder and RocksDB's reason; the server stops with it instead of serving without storage.
/// </summary>
public sealed class StoreOpenException : Exception
{
    public StoreOpenException(string message)
        : base(message)
    {
    }

    public StoreOpenException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public StoreOpenException()
        : base("The store cannot be opened.")
    {
    }
}
