using Microsoft.Extensions.Logging;
using NATS.Client.KeyValueStore;

namespace SpinPet.Cluster.Lease;

/// <summary>
/// The ingest lease: one key (<see cref="ClusterSettings.LeaseKey"/>) in a JetStream key-value bucket whose MaxAge is
/// the lease TTL (nats-server 2.9 has no per-key TTL), History 1. A candidate takes it with Create, which succeeds only
/// when the key is absent (expired, deleted or never written); the holder renews it with Update on the revision it
/// holds, every TTL/3. The holder's own deadline is the send time of its last acknowledged renewal + TTL − 10 %: when it
/// passes, or a renewal fails, the term's token is cancelled at once. A failed renewal may still be applied later
/// (spike item 10), so a lost term is never resumed: the candidate waits for the key to expire and creates it again.
/// </summary>
public sealed partial class IngestLease
{
    private readonly INatsKVContext _kv;
    private readonly ClusterSettings _settings;
    private readonly ILogger _logger;
    private volatile bool _held;
    private long _terms;

    public IngestLease(INatsKVContext kv, ClusterSettings settings, ILogger<IngestLease> logger)
    {
        ArgumentNullException.ThrowIfNull(kv);
        ArgumentNullException.ThrowIfNull(settings);
        _kv = kv;
        _settings = settings;
        _logger = logger;
    }

    /// <summary>This node holds the lease (a term is running and its deadline has not passed).</summary>
    public bool IsHeld => _held;

    /// <summary>Terms this node has begun since it started.</summary>
    public long Terms => Interlocked.Read(ref _terms);

    private TimeSpan RenewEvery => _settings.LeaseTtl / 3;

    // Standbys poll: 2.9 sends no watch event when MaxAge expires a key. A tenth of the TTL bounds the takeover at
    // TTL + TTL/10 (1 s at the default 10 s) for a failed Create that costs two small round trips.
    private TimeSpan PollEvery => _settings.LeaseTtl / 10;

    private TimeSpan ValidFor => _settings.LeaseTtl - _settings.LeaseTtl / 10;

    /// <summary>
    /// Runs <paramref name="term"/> each time this node takes the lease, with a token cancelled the moment the lease is
    /// lost (or <paramref name="ct"/> ends), until <paramref name="ct"/> ends. A graceful stop deletes the key, so a
    /// standby takes over at its next poll instead of after the TTL.
    /// </summary>
    public async Task RunAsync(Func<CancellationToken, Task> term, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(term);
        while (!ct.IsCancellationRequested)
        {
            try
            {
                var store = await BucketAsync(ct);
                long sent = Environment.TickCount64;
                if (await TryCreateAsync(store, ct) is not { } revision)
                {
                    await Task.Delay(PollEvery, ct);
                    continue;
                }
                await HoldAsync(store, revision, sent, term, ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                LogCandidateFailed(_logger, _settings.NodeId, e.GetType().Name, e.Message);
                if (!await Pause.ForAsync(PollEvery, ct))
                {
                    return;
                }
            }
        }
    }

    private async Task<INatsKVStore> BucketAsync(CancellationToken ct)
    {
        using var deadline = Deadline(ct, _settings.CallTimeout);
        return await _kv.CreateOrUpdateStoreAsync(
            new NatsKVConfig(_settings.LeaseBucket) { History = 1, MaxAge = _settings.LeaseTtl, Storage = NatsKVStorageType.File },
            deadline.Token);
    }

    /// <summary>The revision created, or null when another node holds the key.</summary>
    private async Task<ulong?> TryCreateAsync(INatsKVStore store, CancellationToken ct)
    {
        using var deadline = Deadline(ct, _settings.CallTimeout);
        var created = await store.TryCreateAsync(ClusterSettings.LeaseKey, _settings.NodeId, cancellationToken: deadline.Token);
        return created.Success ? created.Value : null;
    }

    private async Task HoldAsync(INatsKVStore store, ulong revision, long sent, Func<CancellationToken, Task> term, CancellationToken ct)
    {
        // Valid from the Create's send time, not its ack: the server started the key's age before it answered.
        using var lease = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var valid = ValidFor - TimeSpan.FromMilliseconds(Environment.TickCount64 - sent);
        lease.CancelAfter(valid > TimeSpan.Zero ? valid : TimeSpan.Zero);
        _held = true;
        Interlocked.Increment(ref _terms);
        LogAcquired(_logger, _settings.NodeId, revision, (long)_settings.LeaseTtl.TotalMilliseconds);
        var renewing = RenewAsync(store, revision, lease);
        try
        {
            await term(lease.Token);
            // A term that ends by itself (the event listener disabled) keeps the lease: no other node ingests either.
            await Task.Delay(Timeout.Infinite, lease.Token);
        }
        catch (OperationCanceledException) when (lease.IsCancellationRequested)
        {
        }
        finally
        {
            _held = false;
            bool lost = !ct.IsCancellationRequested;
            await lease.CancelAsync();
            ulong held = await renewing;
            if (lost)
            {
                LogLost(_logger, _settings.NodeId);
            }
            else
            {
                await ReleaseAsync(store, held);
            }
        }
    }

    /// <summary>Renews until the lease is cancelled or a renewal fails (which cancels it); returns the last revision held.</summary>
    private async Task<ulong> RenewAsync(INatsKVStore store, ulong revision, CancellationTokenSource lease)
    {
        using var timer = new PeriodicTimer(RenewEvery);
        try
        {
            while (await timer.WaitForNextTickAsync(lease.Token))
            {
                long sent = Environment.TickCount64;
                using var deadline = Deadline(lease.Token, RenewEvery);
                revision = await store.UpdateAsync(ClusterSettings.LeaseKey, _settings.NodeId, revision, cancellationToken: deadline.Token);
                var left = ValidFor - TimeSpan.FromMilliseconds(Environment.TickCount64 - sent);
                if (left <= TimeSpan.Zero)
                {
                    break;
                }
                lease.CancelAfter(left);
            }
        }
        catch (OperationCanceledException) when (lease.IsCancellationRequested)
        {
            return revision;
        }
        catch (Exception e)
        {
            // Late, refused (another holder, or the key expired) or unanswered: the outcome is unknown, stop now.
            LogRenewalFailed(_logger, _settings.NodeId, e.GetType().Name, e.Message);
        }
        await lease.CancelAsync();
        return revision;
    }

    private async Task ReleaseAsync(INatsKVStore store, ulong revision)
    {
        try
        {
            using var deadline = Deadline(CancellationToken.None, _settings.CallTimeout);
            await store.DeleteAsync(ClusterSettings.LeaseKey, new NatsKVDeleteOpts { Revision = revision }, deadline.Token);
            LogReleased(_logger, _settings.NodeId);
        }
        catch (Exception e)
        {
            // The key expires by itself within the TTL.
            LogReleaseFailed(_logger, _settings.NodeId, e.GetType().Name, e.Message);
        }
    }

    private static CancellationTokenSource Deadline(CancellationToken ct, TimeSpan timeout)
    {
        var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        return deadline;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Ingest lease acquired by {NodeId} (revision {Revision}, TTL {TtlMs} ms): this node is the ingest leader")]
    private static partial void LogAcquired(ILogger logger, string nodeId, ulong revision, long ttlMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ingest lease lost by {NodeId}: publishing stopped; standing by as a candidate")]
    private static partial void LogLost(ILogger logger, string nodeId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ingest lease renewal by {NodeId} failed ({Kind}: {Reason}); giving the lease up")]
    private static partial void LogRenewalFailed(ILogger logger, string nodeId, string kind, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Ingest lease released by {NodeId} (stopping)")]
    private static partial void LogReleased(ILogger logger, string nodeId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Ingest lease release by {NodeId} failed ({Kind}: {Reason}); it expires by itself")]
    private static partial void LogReleaseFailed(ILogger logger, string nodeId, string kind, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Ingest lease candidate {NodeId}: {Kind}: {Reason}")]
    private static partial void LogCandidateFailed(ILogger logger, string nodeId, string kind, string reason);
}
