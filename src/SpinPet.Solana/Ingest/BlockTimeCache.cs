using System.Collections.Concurrent;
using SpinPet.Solana.Rpc;

namespace SpinPet.Solana.Ingest;

/// <summary>
/// Block time per slot for live notifications (which carry none). One request per slot however many transactions
/// ask (concurrent callers share the task), started as soon as the socket reader sees the slot so the applier
/// rarely waits. A fresh slot may not be queryable for a moment (-32004): retried with a short back-off.
/// </summary>
public sealed class BlockTimeCache(SolanaRpcClient rpc, CancellationToken lifetime)
{
    // Live traffic touches a handful of recent slots; 4,096 slots is ~27 minutes of chain at 400 ms. Past it the
    // slots more than half of that below the newest one seen are dropped (a long backfill remembers every slot).
    internal const int Capacity = 4096;

    private readonly ConcurrentDictionary<ulong, Lazy<Task<long>>> _slots = new();
    private ulong _newest;
    private long _requests;

    public long RequestCount => Volatile.Read(ref _requests);

    internal int Count => _slots.Count;

    /// <summary>Starts fetching a slot's block time without waiting for it (called by the socket reader).</summary>
    public void Prefetch(ulong slot)
    {
        // The applier observes the outcome when it asks for this slot; nobody else should see the exception.
        _ = Get(slot).ContinueWith(static t => _ = t.Exception, CancellationToken.None,
            TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    public Task<long> GetAsync(ulong slot) => Get(slot);

    /// <summary>
    /// Backfilled transactions carry their block time: it is remembered for live ones of the same slot. One slot, one
    /// block time: the time already known for <paramref name="slot"/> (remembered, or fetched and
    /// answered), else <paramref name="answered"/>, which is then remembered. A node that answers two times for one
    /// slot is inconsistent; every transaction of the slot still gets the same one.
    /// </summary>
    public long Settle(ulong slot, long answered)
    {
        var entry = _slots.GetOrAdd(slot, static (_, time) => new Lazy<Task<long>>(Task.FromResult(time)), answered);
        TrimIfFull(slot);
        return entry.IsValueCreated && entry.Value.IsCompletedSuccessfully ? entry.Value.Result : answered;
    }

    private Task<long> Get(ulong slot)
    {
        var entry = _slots.GetOrAdd(slot, s => new Lazy<Task<long>>(() => FetchAsync(s)));
        var task = entry.Value;
        if (task.IsFaulted || task.IsCanceled)
        {
            // A failed lookup must not poison the slot: ask again.
            _slots.TryRemove(new KeyValuePair<ulong, Lazy<Task<long>>>(slot, entry));
            task = _slots.GetOrAdd(slot, s => new Lazy<Task<long>>(() => FetchAsync(s))).Value;
        }
        TrimIfFull(slot);
        return task;
    }

    private async Task<long> FetchAsync(ulong slot)
    {
        Interlocked.Increment(ref _requests);
        var backoff = new Backoff(TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(2));
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                return await rpc.GetBlockTimeAsync(slot, lifetime);
            }
            catch (RpcErrorException ex) when (ex.IsTransient && attempt < 20)
            {
                await Task.Delay(backoff.Next(), lifetime);
            }
        }
    }

    private void TrimIfFull(ulong slot)
    {
        // Trimmed below the newest slot seen, not the one at hand: a lookup of an old slot must not keep the cache
        // over capacity (and rescanning it on every call).
        ulong newest = Volatile.Read(ref _newest);
        while (slot > newest)
        {
            ulong seen = Interlocked.CompareExchange(ref _newest, slot, newest);
            if (seen == newest)
            {
                newest = slot;
                break;
            }
            newest = seen;
        }
        if (_slots.Count > Capacity)
        {
            Trim(newest);
        }
    }

    private void Trim(ulong newest)
    {
        foreach (var slot in _slots.Keys)
        {
            if (slot + Capacity / 2 < newest)
            {
                _slots.TryRemove(slot, out _);
            }
        }
    }
}
