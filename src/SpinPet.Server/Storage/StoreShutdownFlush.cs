using SpinPet.Storage;

namespace SpinPet.Server.Storage;

/// <summary>
/// Flushes the store once every hosted service has stopped (<see cref="StoppedAsync"/> runs after all of their
/// <c>StopAsync</c>, so the ingest and the candle finalizer have written their last batch): memtables go to SST files
/// and the WAL is synced, so a graceful stop leaves nothing to replay and survives a power loss right after it.
/// </summary>
internal sealed partial class StoreShutdownFlush(SpinPetStore store, ILogger<StoreShutdownFlush> logger) : IHostedLifecycleService
{
    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken)
    {
        try
        {
            store.Flush();
            LogFlushed(logger);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The WAL still holds every applied batch: the next start replays it. Logged, not fatal.
            LogFlushFailed(logger, ex);
        }
        return Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Storage flushed at shutdown")]
    private static partial void LogFlushed(ILogger logger);

    [LoggerMessage(Level = LogLevel.Error, Message = "Flushing storage at shutdown failed; the next start replays the write-ahead log")]
    private static partial void LogFlushFailed(ILogger logger, Exception exception);
}
