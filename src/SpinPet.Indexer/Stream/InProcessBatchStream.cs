using SpinPet.Core.Stream;

namespace SpinPet.Indexer.Stream;

/// <summary>
/// The batch stream of one process: appending applies the batch at once, on the appender's thread, at the next seq of
/// the stored position (a counter persisted with each batch), and completes synchronously — no queue, no copy, no
/// thread switch, so it costs what applying costs. One appender at a time: a second append while one runs is refused.
/// </summary>
public sealed class InProcessBatchStream(SpinPetIndexer indexer) : IBatchStream
{
    private int _appending;
    private string? _lastId;
    private StreamPosition _lastPosition;

    public StreamPosition Position => indexer.Position;

    public ValueTask<StreamPosition> AppendAsync(StreamBatch batch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        cancellationToken.ThrowIfCancellationRequested();
        if (Interlocked.Exchange(ref _appending, 1) != 0)
        {
            throw new InvalidOperationException("Another append is in progress: the batch stream has one appender at a time.");
        }
        try
        {
            // A retry of the batch last applied (its outcome was unknown to the appender): applied already.
            if (batch.Id == _lastId && indexer.Position == _lastPosition)
            {
                return ValueTask.FromResult(_lastPosition);
            }
            var position = indexer.Position.Next();
            try
            {
                indexer.Apply(batch, position);
            }
            finally
            {
                // Stored even when announcing it threw afterwards: a retry of this batch is then recognized.
                if (indexer.Position == position)
                {
                    _lastId = batch.Id;
                    _lastPosition = position;
                }
            }
            return ValueTask.FromResult(position);
        }
        finally
        {
            Volatile.Write(ref _appending, 0);
        }
    }
}
