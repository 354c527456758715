using SpinPet.Core.Stream;

namespace SpinPet.Streaming.Topics;

/// <summary>
/// The newest batch position the fan-out has heard of (protocol.md, "Position and resume"), and the waits of resuming
/// clients that are ahead of it. Advanced once per applied batch after its candles were published, so a reader that
/// sees position P knows every publication of batches up to P has reached the topics.
/// </summary>
internal sealed class AppliedPosition
{
    private readonly Lock _gate = new();
    private StreamPosition _current;

    // Made only while someone waits, completed (off the applying thread) by the next advance.
    private TaskCompletionSource? _advanced;

    public StreamPosition Current
    {
        get
        {
            lock (_gate)
            {
                return _current;
            }
        }
    }

    /// <summary>Moves to <paramref name="position"/>: a later seq of the same epoch, or any seq of another epoch (a new history).</summary>
    public void Advance(StreamPosition position)
    {
        TaskCompletionSource? advanced;
        lock (_gate)
        {
            if (position.Epoch == _current.Epoch && position.Seq <= _current.Seq)
            {
                return;
            }
            _current = position;
            advanced = _advanced;
            _advanced = null;
        }
        advanced?.TrySetResult();
    }

    /// <summary>
    /// True once the position is at or past <paramref name="seq"/> of <paramref name="epoch"/>; false when the epoch
    /// differs or <paramref name="timeout"/> passes first. Holds no thread while it waits.
    /// </summary>
    public async Task<bool> WaitForAsync(string epoch, long seq, TimeSpan timeout, TimeProvider time, CancellationToken ct)
    {
        using var expiry = new CancellationTokenSource(timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(expiry.Token, ct);
        while (true)
        {
            Task advanced;
            lock (_gate)
            {
                if (_current.Epoch != epoch)
                {
                    return false;
                }
                if (_current.Seq >= seq)
                {
                    return true;
                }
                _advanced ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                advanced = _advanced.Task;
            }
            try
            {
                await advanced.WaitAsync(linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (expiry.IsCancellationRequested && !ct.IsCancellationRequested)
            {
                return false;
            }
        }
    }
}
