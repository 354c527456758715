namespace SpinPet.Cluster;

/// <summary>A loop's pause between attempts that ends quietly when the loop is stopped.</summary>
internal static class Pause
{
    /// <summary>Waits <paramref name="delay"/>; false when <paramref name="ct"/> ended it (a stop, not a failure).</summary>
    public static async Task<bool> ForAsync(TimeSpan delay, CancellationToken ct)
    {
        try
        {
            await Task.Delay(delay, ct);
            return true;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return false;
        }
    }
}
