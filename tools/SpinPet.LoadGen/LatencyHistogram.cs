namespace SpinPet.LoadGen;

/// <summary>Lock-free latency histogram: 0.1 ms buckets up to 60 s (the last bucket holds everything above).</summary>
internal sealed class LatencyHistogram
{
    private const int BucketsPerMs = 10;
    private const int Buckets = (60_000 * BucketsPerMs) + 1;
    private readonly long[] _counts = new long[Buckets];

    /// <summary>Summed on read (rare), so recording is one interlocked add.</summary>
    public long Count
    {
        get
        {
            long total = 0;
            for (int i = 0; i < Buckets; i++)
            {
                total += Volatile.Read(ref _counts[i]);
            }
            return total;
        }
    }

    public void Record(double milliseconds)
    {
        int bucket = milliseconds <= 0 ? 0 : (int)Math.Min(Buckets - 1, milliseconds * BucketsPerMs);
        Interlocked.Increment(ref _counts[bucket]);
    }

    /// <summary>The upper edge (ms) of the bucket holding quantile <paramref name="q"/>; NaN when empty.</summary>
    public double Quantile(double q)
    {
        long total = Count;
        if (total == 0)
        {
            return double.NaN;
        }
        long rank = (long)Math.Ceiling(q * total);
        long seen = 0;
        for (int i = 0; i < Buckets; i++)
        {
            seen += Volatile.Read(ref _counts[i]);
            if (seen >= rank)
            {
                return (i + 1) / (double)BucketsPerMs;
            }
        }
        return 60_000;
    }

    public Dictionary<string, object> Summary() => new()
    {
        ["count"] = Count,
        ["p50_ms"] = Round(Quantile(0.50)),
        ["p99_ms"] = Round(Quantile(0.99)),
        ["p999_ms"] = Round(Quantile(0.999)),
        ["max_ms"] = Round(Quantile(1.0)),
    };

    private static double Round(double v) => double.IsNaN(v) ? -1 : Math.Round(v, 1);
}
