using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using SpinPet.Core.Chain;
using SpinPet.Core.Events;
using SpinPet.Core.Ingest;
using SpinPet.Server.Configuration;

namespace SpinPet.Server.Metadata;

/// <summary>
/// Tokens waiting for their metadata: a bounded queue of mints between the ingest (which only enqueues) and the
/// fetcher's workers, each mint queued at most once at a time.
/// </summary>
/// <remarks>
/// Overflow policy, as the ingest's own live queue: the ingest never waits. When the queue is full a new token is
/// dropped and counted, and a rescan is requested: the fetcher walks the stored mints and queues every created token
/// that has no metadata row yet, waiting for room as it goes. A dropped token is stored already, so the rescan finds it;
/// nothing is lost and memory stays bounded.
/// </remarks>
internal sealed class TokenMetadataQueue
{
    private readonly Channel<PublicKey> _channel;
    private readonly ConcurrentDictionary<PublicKey, byte> _pending = new();
    private readonly SemaphoreSlim _rescan = new(0, 1);
    private long _dropped;
    private int _overflowed;

    public TokenMetadataQueue(IOptions<IpfsOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Enabled = options.Value.Enabled;
        Capacity = options.Value.QueueCapacity;
        _channel = Channel.CreateBounded<PublicKey>(new BoundedChannelOptions(Capacity) { FullMode = BoundedChannelFullMode.Wait });
    }

    public bool Enabled { get; }

    public int Capacity { get; }

    /// <summary>Tokens queued and not yet taken by a worker.</summary>
    public int Depth => _channel.Reader.Count;

    /// <summary>Tokens dropped because the queue was full (each found again by the rescan that follows).</summary>
    public long Dropped => Volatile.Read(ref _dropped);

    public ChannelReader<PublicKey> Reader => _channel.Reader;

    /// <summary>
    /// The ingest's hook, called after a batch was stored: queues the mint of every TokenCreatedEvent without waiting.
    /// A loop over the batch's events with a type test each; no allocation unless a token was created.
    /// </summary>
    public void OnApplied(IReadOnlyList<IngestedTransaction> transactions)
    {
        if (!Enabled)
        {
            return;
        }
        for (int t = 0; t < transactions.Count; t++)
        {
            var events = transactions[t].Events;
            for (int i = 0; i < events.Count; i++)
            {
                if (events[i].Event is TokenCreatedEvent created)
                {
                    TryEnqueue(created.MintAccount);
                }
            }
        }
    }

    /// <summary>Queues the mint unless it is queued or being fetched; false when the queue was full (dropped, rescan requested).</summary>
    public bool TryEnqueue(PublicKey mint)
    {
        if (!_pending.TryAdd(mint, 0))
        {
            return true;
        }
        if (_channel.Writer.TryWrite(mint))
        {
            return true;
        }
        _pending.TryRemove(mint, out _);
        Interlocked.Increment(ref _dropped);
        Volatile.Write(ref _overflowed, 1);
        RequestRescan();
        return false;
    }

    /// <summary>Queues the mint, waiting for room (the rescan's way); does nothing if it is already pending.</summary>
    public async ValueTask<bool> EnqueueAsync(PublicKey mint, CancellationToken cancellationToken)
    {
        if (!_pending.TryAdd(mint, 0))
        {
            return false;
        }
        try
        {
            await _channel.Writer.WriteAsync(mint, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch
        {
            _pending.TryRemove(mint, out _);
            throw;
        }
    }

    /// <summary>A worker finished with the mint (stored, failed or given up): it may be queued again.</summary>
    public void Done(PublicKey mint) => _pending.TryRemove(mint, out _);

    public void RequestRescan()
    {
        try
        {
            _rescan.Release();
        }
        catch (SemaphoreFullException)
        {
            // A rescan is already requested; one covers both.
        }
    }

    /// <summary>
    /// Waits until a rescan is requested or <paramref name="timeout"/> passes. Returns whether tokens were dropped since
    /// the last call (for one log line per overflow episode).
    /// </summary>
    public async Task<bool> WaitForRescanAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        await _rescan.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        return Interlocked.Exchange(ref _overflowed, 0) != 0;
    }
}
