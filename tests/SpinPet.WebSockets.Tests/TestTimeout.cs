namespace SpinPet.WebSockets.Tests;

/// <summary>A cancellation source that bounds a whole socket test, linked to xunit's own cancellation.</summary>
internal static class TestTimeout
{
    public static CancellationTokenSource Start(int seconds = 15)
    {
        var source = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        source.CancelAfter(TimeSpan.FromSeconds(seconds));
        return source;
    }
}
