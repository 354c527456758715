using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SpinPet.Indexer.Events;
using System.Text.Json;
using Microsoft.Extensions.Options;
using SpinPet.Core.Chain;
using SpinPet.Storage;

namespace SpinPet.Indexer.Metadata;

/// <summary>
/// Fetches each created token's metadata (its <c>uri</c> JSON) in the background when <c>ipfs.gateway_url</c> is set,
/// and stores the outcome in <c>token_metadata</c>: the document, a permanent failure, or a give-up after
/// <see cref="MetadataRetryPolicy.MaxAttempts"/> transient failures. Never on the ingest path: the ingest only queues
/// mints (<see cref="TokenMetadataQueue"/>).
/// </summary>
/// <remarks>
/// <c>ipfs.max_concurrency</c> workers take jobs from the queue and make one attempt each; a transient failure parks the
/// token with a due time and the worker takes the next job, so no worker waits out a back-off or a Retry-After, and a
/// token's own origin holds at most one worker (<see cref="OriginLimits"/>). A scanner queues every stored token without
/// a metadata row: at start (fetches pending at the last stop resume; given-up tokens get one new round, the restart
/// being the retry trigger for them) and after a queue overflow. Per-token outcomes are logged at debug level only;
/// failures of an origin as a whole once per episode.
/// </remarks>
internal sealed partial class TokenMetadataService(
    SpinPetStore store,
    TokenMetadataQueue queue,
    TokenMetadataFetcher fetcher,
    TokenMetadataCounters counters,
    MetadataRetryPolicy retry,
    IOptions<IpfsOptions> options,
    TimeProvider time,
    ILogger<TokenMetadataService> logger) : BackgroundService
{
    /// <summary>Mints read from the store per page while scanning.</summary>
    private const int ScanPage = 1000;

    private const int MaxProblemLength = 512;

    private int _failing;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        if (!settings.Enabled)
        {
            return;
        }
        var gateway = MetadataUri.GatewayBase(settings.GatewayUrl!);
        LogStarted(logger, Shown(gateway), settings.MaxConcurrency, settings.QueueCapacity);
        var loops = new List<Task> { ScanLoopAsync(stoppingToken) };
        for (int i = 0; i < settings.MaxConcurrency; i++)
        {
            loops.Add(WorkAsync(gateway, stoppingToken));
        }
        try
        {
            await Task.WhenAll(loops).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: fetches in flight and parked retries are stored by no one; the next start resumes them.
        }
    }

    private async Task ScanLoopAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        for (bool atStart = true; ; atStart = false)
        {
            try
            {
                int queued = await ScanAsync(atStart, stoppingToken).ConfigureAwait(false);
                if (queued > 0)
                {
                    LogQueued(logger, queued);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogScanFailed(logger, e);
            }
            if (await queue.WaitForRescanAsync(stoppingToken).ConfigureAwait(false))
            {
                LogOverflow(logger, queue.Capacity, queue.Dropped);
            }
        }
    }

    /// <summary>
    /// Queues every created token without a metadata row, oldest first, in the fresh lane; at start also the given-up
    /// ones, in the retry lane (a new round of attempts). Waits for room in the lanes as it goes.
    /// </summary>
    internal async Task<int> ScanAsync(bool atStart, CancellationToken cancellationToken)
    {
        int queued = 0;
        byte[]? cursor = null;
        do
        {
            var page = store.Indexes.ReadMints(MintOrder.FirstSeenOldestFirst, cursor, 0, ScanPage);
            foreach (var mint in page.Items)
            {
                if (mint.CreatedPosition is null)
                {
                    continue;
                }
                var stored = store.TokenMetadata.Get(mint.Mint);
                bool wanted = stored is null || (atStart && stored.State == TokenMetadataState.GaveUp);
                if (wanted && await queue.EnqueueAsync(mint.Mint, retry: stored is not null, cancellationToken).ConfigureAwait(false))
                {
                    queued++;
                }
            }
            cursor = page.Next;
        }
        while (cursor is not null);
        return queued;
    }

    private async Task WorkAsync(Uri gateway, CancellationToken stoppingToken)
    {
        await Task.Yield();
        while (true)
        {
            var job = await queue.TakeAsync(stoppingToken).ConfigureAwait(false);
            var next = Prepare(job, gateway) ? job : null;
            while (next is not null)
            {
                next = await AttemptAsync(next, stoppingToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Resolves a taken job's target and starts it: false when it is settled without a request or waits for its origin.</summary>
    private bool Prepare(MetadataJob job, Uri gateway)
    {
        try
        {
            if (job.Target is null)
            {
                // Stored already (queued twice: a rescan raced the ingest), or no creation to read the uri from.
                if (store.TokenMetadata.Get(job.Mint) is { State: not TokenMetadataState.GaveUp }
                    || store.Indexes.GetMint(job.Mint) is not { } details
                    || StoredEvents.TokenCreation(store, details) is not { } creation)
                {
                    queue.Drop(job);
                    return false;
                }
                job.Uri = creation.Event.Uri;
                if (MetadataUri.Resolve(job.Uri, gateway, out var problem) is not { } target)
                {
                    StoreFailure(job, problem!);
                    queue.Drop(job);
                    return false;
                }
                job.Target = target;
                job.Origin = target.ViaGateway ? null : target.Address.GetComponents(UriComponents.SchemeAndServer, UriFormat.UriEscaped);
            }
            return queue.TryStart(job);
        }
        catch (Exception e)
        {
            // Storage trouble, most likely: the token keeps no row, so the next start (or overflow rescan) tries it again.
            LogProcessFailed(logger, job.Mint, e);
            queue.Drop(job);
            return false;
        }
    }

    /// <summary>One attempt of a started job, then its outcome settled; returns the job the finished request hands over.</summary>
    private async Task<MetadataJob?> AttemptAsync(MetadataJob job, CancellationToken stoppingToken)
    {
        var target = job.Target!.Value;
        if (++job.Attempts > 1)
        {
            counters.AddRetry();
        }
        MetadataJob? next = null;
        FetchResult result;
        try
        {
            result = await fetcher.AttemptAsync(target, stoppingToken).ConfigureAwait(false);
        }
        catch (Exception e) when (!stoppingToken.IsCancellationRequested)
        {
            // Not an HTTP failure the fetcher knows: treated as transient, so the token is retried and then given up.
            LogProcessFailed(logger, job.Mint, e);
            result = FetchResult.Transient($"unexpected failure: {e.Message}");
        }
        finally
        {
            next = queue.Finish(job);
        }
        try
        {
            Settle(job, target, result);
        }
        catch (Exception e)
        {
            LogProcessFailed(logger, job.Mint, e);
            queue.Complete(job);
        }
        return next;
    }

    private void Settle(MetadataJob job, MetadataTarget target, FetchResult result)
    {
        switch (result.Outcome)
        {
            case FetchOutcome.Ok:
                Volatile.Write(ref _failing, 0);
                if (!TokenMetadataParser.TryParse(result.Body, out var document, out var malformed))
                {
                    StoreFailure(job, malformed!);
                    break;
                }
                var json = JsonSerializer.Serialize(document!, MetadataJsonContext.Default.TokenMetadataDocument);
                store.TokenMetadata.Put(job.Mint, new StoredTokenMetadata(TokenMetadataState.Fetched, time.GetUtcNow().ToUnixTimeMilliseconds(), json));
                counters.AddFetched();
                LogFetched(logger, job.Mint, Shown(target.Address));
                break;
            case FetchOutcome.Permanent:
                StoreFailure(job, result.Problem!);
                break;
            default:
                if (job.Attempts < retry.MaxAttempts)
                {
                    var delay = retry.Delay(job.Attempts, result.RetryAfter);
                    if (queue.TryPark(job, delay))
                    {
                        LogParked(logger, job.Mint, Shown(target.Address), result.Problem!, job.Attempts, delay.TotalSeconds);
                        return;
                    }
                    StoreGaveUp(job, target, $"{result.Problem} (attempt {job.Attempts}; the retry lane of {queue.Capacity} tokens was full)");
                    return;
                }
                StoreGaveUp(job, target, $"{result.Problem} ({job.Attempts} attempts)");
                return;
        }
        queue.Complete(job);
    }

    /// <summary>An address for a log line: without user info or query, where a gateway's credentials would sit.</summary>
    private static string Shown(Uri address) => address.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped);

    /// <summary>A failure's reason as stored: an origin's text (a Location, a host name) kept to 512 characters, so a row stays small.</summary>
    private static string Bounded(string problem) => problem.Length <= MaxProblemLength ? problem : problem[..MaxProblemLength] + "…";

    private void StoreFailure(MetadataJob job, string problem)
    {
        problem = Bounded(problem);
        store.TokenMetadata.Put(job.Mint, new StoredTokenMetadata(TokenMetadataState.Failed, time.GetUtcNow().ToUnixTimeMilliseconds(), problem));
        counters.AddFailed();
        LogFailed(logger, job.Mint, job.Uri ?? "", problem);
    }

    private void StoreGaveUp(MetadataJob job, MetadataTarget target, string problem)
    {
        problem = Bounded(problem);
        try
        {
            store.TokenMetadata.Put(job.Mint, new StoredTokenMetadata(TokenMetadataState.GaveUp, time.GetUtcNow().ToUnixTimeMilliseconds(), problem));
        }
        finally
        {
            queue.Complete(job);
        }
        counters.AddGaveUp();
        LogGaveUp(logger, job.Mint, Shown(target.Address), problem);
        if (Interlocked.Exchange(ref _failing, 1) == 0)
        {
            LogFailing(logger, target.Address.Host, problem);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Token metadata: fetching through {Gateway}, {Concurrency} requests at a time, queue of {Capacity}")]
    private static partial void LogStarted(ILogger logger, string gateway, int concurrency, int capacity);

    [LoggerMessage(Level = LogLevel.Information, Message = "Token metadata: queued {Count} stored tokens without metadata (new, resumed after a restart, or given up before it)")]
    private static partial void LogQueued(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Token metadata: the queue of {Capacity} was full, {Dropped} tokens dropped so far; rescanning the stored tokens for them")]
    private static partial void LogOverflow(ILogger logger, int capacity, long dropped);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Token metadata: fetches from {Host} keep failing ({Problem}); such tokens are given up and tried again at the next start")]
    private static partial void LogFailing(ILogger logger, string host, string problem);

    [LoggerMessage(Level = LogLevel.Error, Message = "Token metadata: scanning the stored tokens failed; retried at the next rescan")]
    private static partial void LogScanFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Token metadata: processing {Mint} failed; tried again at the next start or rescan")]
    private static partial void LogProcessFailed(ILogger logger, PublicKey mint, Exception exception);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Token metadata of {Mint} fetched from {Address}")]
    private static partial void LogFetched(ILogger logger, PublicKey mint, string address);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Token metadata of {Mint} failed for good ({Uri}): {Problem}")]
    private static partial void LogFailed(ILogger logger, PublicKey mint, string uri, string problem);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Token metadata of {Mint} failed ({Address}): {Problem}; attempt {Attempt}, retried in {Seconds:0.#} s")]
    private static partial void LogParked(ILogger logger, PublicKey mint, string address, string problem, int attempt, double seconds);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Token metadata of {Mint} given up ({Address}): {Problem}")]
    private static partial void LogGaveUp(ILogger logger, PublicKey mint, string address, string problem);
}
