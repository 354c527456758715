using System.Diagnostics;

namespace SpinPet.ChainSimulator;

/// <summary>The HTTP side's garbage count and the arrival times of recent calls (to measure a client's waits).</summary>
public sealed partial class SimulatorStats
{
    // Tests look at a handful of retries; 4,096 calls is a backfill's worth of pages and more.
    private const int RecentCapacity = 4096;

    private readonly Queue<HttpCallRecord> _recent = new();
    private long _httpGarbageSent;
    private long _incompleteTransactionsSent;
    private long _notificationsWithoutLogsSent;

    /// <summary>Answers replaced by garbage (<see cref="SimulatorFaults.HttpGarbageRate"/>).</summary>
    public long HttpGarbageAnswers => Interlocked.Read(ref _httpGarbageSent);

    /// <summary>getTransaction answers sent incomplete or wrong (<see cref="SimulatorFaults.IncompleteTransactionRate"/>).</summary>
    public long IncompleteTransactionAnswers => Interlocked.Read(ref _incompleteTransactionsSent);

    /// <summary>
    /// Logs notifications sent without their logs or with them padded (<see cref="SimulatorFaults.LogsNotificationsWithoutLogsRate"/>,
    /// <see cref="SimulatorFaults.PaddedLogsNotificationsRate"/>).
    /// </summary>
    public long NotificationsWithoutLogs => Interlocked.Read(ref _notificationsWithoutLogsSent);

    /// <summary>The most recent JSON-RPC calls received over HTTP (up to 4,096), oldest first.</summary>
    public IReadOnlyList<HttpCallRecord> RecentHttpCalls
    {
        get
        {
            lock (_recent)
            {
                return [.. _recent];
            }
        }
    }

    internal void HttpGarbageSent() => Interlocked.Increment(ref _httpGarbageSent);

    internal void IncompleteTransactionSent() => Interlocked.Increment(ref _incompleteTransactionsSent);

    internal void NotificationWithoutLogsSent() => Interlocked.Increment(ref _notificationsWithoutLogsSent);

    private void RecordRequestTime(string method)
    {
        var record = new HttpCallRecord(method, Stopwatch.GetTimestamp());
        lock (_recent)
        {
            if (_recent.Count == RecentCapacity)
            {
                _recent.Dequeue();
            }
            _recent.Enqueue(record);
        }
    }
}

/// <summary>A JSON-RPC call as it arrived: its method and a <see cref="Stopwatch.GetTimestamp"/> reading.</summary>
public readonly record struct HttpCallRecord(string Method, long Timestamp);
