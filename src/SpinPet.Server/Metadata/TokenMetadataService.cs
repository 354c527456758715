using System.Text.Json;
using Microsoft.Extensions.Options;
using SpinPet.Core.Chain;
using SpinPet.Server.Configuration;
using SpinPet.Server.Storage;
using SpinPet.Storage;

namespace SpinPet.Server.Metadata;

/// <summary>
/// Fetches each created token's metadata (its <c>uri</c> JSON) in the background when <c>ipfs.gateway_url</c> is set,
/// and stores the outcome in <c>token_metadata</c>: the document, or a permanent failure. Never on the ingest path: the
/// ingest only queues mints (<see cref="TokenMetadataQueue"/>).
/// </summary>
/// <remarks>
/// <c>ipfs.max_concurrency</c> workers take mints from the queue, one fetch each at a time, so at most that many
/// requests are in flight. A scanner queues every stored token without a metadata row: at start (fetches pending at the
/// last stop resume, fetched ones are not fetched again), after a queue overflow, and — when fetches gave up on
/// transient failures — after <see cref="MetadataRetryPolicy.RescanAfterGiveUp"/>. Per-token outcomes are logged at
/// debug level only; failures of the gateway as a whole once per episode.
/// </remarks>
internal sealed partial class TokenMetadataService(
    SpinPetStore store,
    TokenMetadataQueue queue,
    TokenMetadataFetcher fetcher,
    TokenMetadataCounters counters,
    IOptions<IpfsOptions> options,
    TimeProvider time,
    ILogger<TokenMetadataService> logger) : BackgroundService
{
    /// <summary>Mints read from the store per page while scanning.</summary>
    private const int ScanPage = 1000;

    private int _gaveUpSinceScan;
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
            // Stopping: fetches in flight were cancelled and are stored by no one; the next start resumes them.
        }
    }

    private async Task ScanLoopAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        while (true)
        {
            Volatile.Write(ref _gaveUpSinceScan, 0);
            try
            {
                int queued = await ScanAsync(stoppingToken).ConfigureAwait(false);
                if (queued > 0)
                {
                    LogQueued(logger, queued);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogScanFailed(logger, e);
            }
            var wait = Volatile.Read(ref _gaveUpSinceScan) > 0 ? fetcher.Retry.RescanAfterGiveUp : Timeout.InfiniteTimeSpan;
            if (await queue.WaitForRescanAsync(wait, stoppingToken).ConfigureAwait(false))
            {
                LogOverflow(logger, queue.Capacity, queue.Dropped);
            }
        }
    }

    /// <summary>Queues every created token without a metadata row, oldest first; waits for room in the queue.</summary>
    internal async Task<int> ScanAsync(CancellationToken cancellationToken)
    {
        int queued = 0;
        byte[]? cursor = null;
        do
        {
            var page = store.ReadMints(MintOrder.FirstSeenOldestFirst, cursor, 0, ScanPage);
            foreach (var mint in page.Items)
            {
                if (mint.CreatedPosition is not null && store.GetTokenMetadata(mint.Mint) is null
                    && await queue.EnqueueAsync(mint.Mint, cancellationToken).ConfigureAwait(false))
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
        await foreach (var mint in queue.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
        {
            try
            {
                await ProcessAsync(mint, gateway, stoppingToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                // Storage trouble, most likely: the token keeps no row, so a later scan tries it again.
                LogProcessFailed(logger, mint, e);
                Interlocked.Increment(ref _gaveUpSinceScan);
            }
            finally
            {
                queue.Done(mint);
            }
        }
    }

    private async Task ProcessAsync(PublicKey mint, Uri gateway, CancellationToken stoppingToken)
    {
        // Already stored: queued twice (a rescan raced the ingest), or fetched before a restart.
        if (store.GetTokenMetadata(mint) is not null
            || store.GetMint(mint) is not { } details
            || TokenCreation.Find(store, details) is not { } creation)
        {
            return;
        }
        var uri = creation.Event.Uri;
        if (MetadataUri.Resolve(uri, gateway, out var problem) is not { } target)
        {
            StoreFailure(mint, uri, problem!);
            return;
        }
        var result = await fetcher.FetchAsync(target, stoppingToken).ConfigureAwait(false);
        switch (result.Outcome)
        {
            case FetchOutcome.Ok:
                Volatile.Write(ref _failing, 0);
                if (!TokenMetadataParser.TryParse(result.Body, out var document, out var malformed))
                {
                    StoreFailure(mint, uri, malformed!);
                    break;
                }
                var json = JsonSerializer.Serialize(document!, MetadataJsonContext.Default.TokenMetadataDocument);
                store.PutTokenMetadata(mint, new StoredTokenMetadata(TokenMetadataState.Fetched, time.GetUtcNow().ToUnixTimeMilliseconds(), json));
                counters.AddFetched();
                LogFetched(logger, mint, Shown(target.Address));
                break;
            case FetchOutcome.Permanent:
                StoreFailure(mint, uri, result.Problem!);
                break;
            default:
                counters.AddGaveUp();
                Interlocked.Increment(ref _gaveUpSinceScan);
                LogGaveUp(logger, mint, Shown(target.Address), result.Problem!);
                if (Interlocked.Exchange(ref _failing, 1) == 0)
                {
                    LogFailing(logger, target.Address.Host, result.Problem!, fetcher.Retry.RescanAfterGiveUp.TotalMinutes);
                }
                break;
        }
    }

    /// <summary>An address for a log line: without user info or query, where a gateway's credentials would sit.</summary>
    private static string Shown(Uri address) => address.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped);

    private void StoreFailure(PublicKey mint, string uri, string problem)
    {
        store.PutTokenMetadata(mint, new StoredTokenMetadata(TokenMetadataState.Failed, time.GetUtcNow().ToUnixTimeMilliseconds(), problem));
        counters.AddFailed();
        LogFailed(logger, mint, uri, problem);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Token metadata: fetching through {Gateway}, {Concurrency} requests at a time, queue of {Capacity}")]
    private static partial void LogStarted(ILogger logger, string gateway, int concurrency, int capacity);

    [LoggerMessage(Level = LogLevel.Information, Message = "Token metadata: queued {Count} stored tokens without metadata (new, resumed after a restart, or retried)")]
    private static partial void LogQueued(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Token metadata: the queue of {Capacity} was full, {Dropped} tokens dropped so far; rescanning the stored tokens for them")]
    private static partial void LogOverflow(ILogger logger, int capacity, long dropped);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Token metadata: fetches from {Host} keep failing ({Problem}); such tokens are tried again in {Minutes} min")]
    private static partial void LogFailing(ILogger logger, string host, string problem, double minutes);

    [LoggerMessage(Level = LogLevel.Error, Message = "Token metadata: scanning the stored tokens failed; retried at the next rescan")]
    private static partial void LogScanFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Token metadata: processing {Mint} failed; retried at the next rescan")]
    private static partial void LogProcessFailed(ILogger logger, PublicKey mint, Exception exception);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Token metadata of {Mint} fetched from {Address}")]
    private static partial void LogFetched(ILogger logger, PublicKey mint, string address);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Token metadata of {Mint} failed for good ({Uri}): {Problem}")]
    private static partial void LogFailed(ILogger logger, PublicKey mint, string uri, string problem);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Token metadata of {Mint} gave up for now ({Address}): {Problem}")]
    private static partial void LogGaveUp(ILogger logger, PublicKey mint, string address, string problem);
}
