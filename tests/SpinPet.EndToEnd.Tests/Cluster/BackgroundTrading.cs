namespace SpinPet.EndToEnd.Tests.Cluster;

/// <summary>
/// The chain keeps moving while a test breaks something: 10 transactions every 20 ms, for at most a minute; disposing
/// stops it and waits for the last block.
/// </summary>
internal sealed class BackgroundTrading : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _producer;

    public BackgroundTrading(ChainSimulator.ChainSimulator simulator) =>
        _producer = Task.Run(async () =>
        {
            for (int i = 0; i < 3000 && !_stop.IsCancellationRequested; i++)
            {
                simulator.ProduceTransactions(10);
                await Task.Delay(20, CancellationToken.None);
            }
        }, CancellationToken.None);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _producer;
        _stop.Dispose();
    }
}
