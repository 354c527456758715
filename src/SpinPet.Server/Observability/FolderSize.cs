namespace SpinPet.Server.Observability;

/// <summary>
/// The summed size of every file under a folder (the RocksDB folder: SST files, WAL, manifest), recomputed at
/// most once per <see cref="MaxAge"/>. Prometheus scrapes every 15 s or so and a large store holds thousands of
/// SST files, so a scrape must not stat them all each time.
/// </summary>
internal sealed class FolderSize(string path, TimeProvider time)
{
    public static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(10);

    private static readonly EnumerationOptions AllFiles = new()
    {
        RecurseSubdirectories = true,
        IgnoreInaccessible = true,
        AttributesToSkip = FileAttributes.None,
    };

    private readonly Lock _gate = new();
    private long _bytes;
    private long _measuredAt = long.MinValue;

    public long Bytes
    {
        get
        {
            lock (_gate)
            {
                long now = time.GetTimestamp();
                if (_measuredAt == long.MinValue || time.GetElapsedTime(_measuredAt, now) >= MaxAge)
                {
                    _bytes = Measure();
                    _measuredAt = now;
                }
                return _bytes;
            }
        }
    }

    private long Measure()
    {
        var folder = new DirectoryInfo(path);
        if (!folder.Exists)
        {
            return 0;
        }
        long total = 0;
        foreach (var file in folder.EnumerateFiles("*", AllFiles))
        {
            try
            {
                total += file.Length;
            }
            catch (IOException)
            {
                // A compaction deleted the file between listing and stat: it no longer takes space.
            }
        }
        return total;
    }
}
