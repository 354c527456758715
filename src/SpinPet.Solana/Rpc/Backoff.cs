namespace SpinPet.Solana.Rpc;

/// <summary>
/// Capped exponential back-off with full jitter: attempt n waits a random time in [base·2^n / 2, base·2^n],
/// never more than the cap. Jitter keeps many clients (or many retries) from hammering a node in lock step.
/// </summary>
public sealed class Backoff(TimeSpan initial, TimeSpan cap)
{
    private int _attempt;

    public int Attempt => _attempt;

    public TimeSpan Next()
    {
        // 2^20 × 100 ms is far past any cap; clamping the exponent keeps the arithmetic finite.
        double ceiling = Math.Min(cap.TotalMilliseconds, initial.TotalMilliseconds * Math.Pow(2, Math.Min(_attempt, 20)));
        _attempt++;
        double jittered = ceiling / 2 + (Random.Shared.NextDouble() * ceiling / 2);
        return TimeSpan.FromMilliseconds(jittered);
    }

    public void Reset() => _attempt = 0;
}
