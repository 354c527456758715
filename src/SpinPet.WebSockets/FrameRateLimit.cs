namespace SpinPet.WebSockets;

/// <summary>
/// The inbound limit of an endpoint (/ws: burst 200, then 50 a second): every connection gets a bucket of the
/// same size (<see cref="CreateBucket"/>, set as <see cref="WebSocketConnection.FrameLimit"/>), and the frames all of
/// them refused are counted here, once for the process.
/// </summary>
public sealed class FrameRateLimit
{
    private long _refused;

    public FrameRateLimit(int burst, int perSecond, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(burst);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(perSecond);
        ArgumentNullException.ThrowIfNull(time);
        Burst = burst;
        PerSecond = perSecond;
        Time = time;
    }

    public int Burst { get; }

    public int PerSecond { get; }

    /// <summary>Frames refused by any of the buckets: dropped messages' frames, unanswered pings, pongs.</summary>
    public long RefusedFrames => Volatile.Read(ref _refused);

    internal TimeProvider Time { get; }

    /// <summary>A full bucket for one connection.</summary>
    public TokenBucket CreateBucket() => new(this);

    internal void Refused() => Interlocked.Increment(ref _refused);
}
