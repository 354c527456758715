namespace SpinPet.Streaming.Sessions;

/// <summary>
/// The messages one client was given, for the admin route's <c>message_stats</c> (rest-legacy.md): counted when
/// queued for it (or sent straight to its socket), so a realtime candle state later replaced in the queue by a newer
/// one still counts. Per client, so the increments contend with nobody.
/// </summary>
public sealed class SentMessageCounts
{
    private long _klineData;
    private long _historyData;
    private long _total;

    public long KlineData => Volatile.Read(ref _klineData);

    public long HistoryData => Volatile.Read(ref _historyData);

    /// <summary>Every message: replies, errors, pings, candle frames and histories.</summary>
    public long Total => Volatile.Read(ref _total);

    public void AddKlineData()
    {
        Interlocked.Increment(ref _klineData);
        Interlocked.Increment(ref _total);
    }

    public void AddHistoryData()
    {
        Interlocked.Increment(ref _historyData);
        Interlocked.Increment(ref _total);
    }

    public void AddOther() => Interlocked.Increment(ref _total);
}
