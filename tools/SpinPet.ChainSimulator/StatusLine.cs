using System.Globalization;

namespace SpinPet.ChainSimulator;

/// <summary>Prints what the demo's simulator is doing every 10 seconds.</summary>
internal static class StatusLine
{
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(10);

    public static async Task RunAsync(ChainSimulator simulator, CancellationToken ct)
    {
        using var timer = new PeriodicTimer(Period);
        try
        {
            while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false))
            {
                var stats = simulator.Stats;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"slot {simulator.Tip}  http {stats.HttpRequests}  ws {stats.WebSocketConnectionsActive}  subs {stats.SubscriptionsActive}  notified {stats.NotificationsSent}"));
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Ctrl+C.
        }
    }
}
