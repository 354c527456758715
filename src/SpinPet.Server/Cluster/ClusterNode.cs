using Microsoft.Extensions.Options;
using NATS.Client.Core;
using SpinPet.Cluster;
using SpinPet.Cluster.Lease;
using SpinPet.Cluster.Streams;
using SpinPet.Indexer;
using SpinPet.Server.Configuration;
using SpinPet.Server.Ingest;
using SpinPet.Solana.Ingest;

namespace SpinPet.Server.Cluster;

/// <summary>
/// One node of a NATS cluster, as a hosted service: it follows the stream into the store (every role) and, as an
/// <c>all</c> or <c>ingest</c> node, stands for the ingest lease; for each term it holds, it catches up with the
/// stream's end and runs a fresh ingest (the same loop as one process) whose batches go to the stream. The term's token
/// is cancelled the moment the lease is lost, which stops the ingest before its next publish. A gateway never runs the
/// ingest and never talks to the RPC node.
/// </summary>
internal sealed partial class ClusterNode(
    IServiceProvider services,
    IOptions<ClusterOptions> cluster,
    ClusterSettings settings,
    NatsConnection connection,
    ClusterStream stream,
    StreamFollower follower,
    IngestLease lease,
    ILoggerFactory loggers,
    ILogger<ClusterNode> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var role = cluster.Value.Role;
        LogStarting(logger, settings.NodeId, role.ToString().ToLowerInvariant(), settings.NatsUrl, settings.Stream, settings.Subject);
        await ConnectAsync(stoppingToken);
        var following = follower.RunAsync(stoppingToken);
        var running = role == ClusterRole.Gateway ? following : Task.WhenAll(following, lease.RunAsync(LeadAsync, stoppingToken));
        try
        {
            await running.WaitAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping. NATS.Net's consumer can miss its cancellation while the server is gone (it ended only at its
            // 30 s idle-heartbeat timeout in a run), so the stop waits for the lease's release (one call, bounded by its
            // deadline) and no longer; the connection's disposal ends the rest.
            await Task.WhenAny(running, Task.Delay(settings.CallTimeout + TimeSpan.FromSeconds(1), CancellationToken.None));
        }
    }

    /// <summary>
    /// Connects once before anything else (NATS.Net reconnects by itself after that); a server not up yet is waited for,
    /// without end: the node serves what it has meanwhile, its readiness stale.
    /// </summary>
    private async Task ConnectAsync(CancellationToken ct)
    {
        var pause = TimeSpan.FromMilliseconds(250);
        while (true)
        {
            try
            {
                await connection.ConnectAsync();
                LogConnected(logger, settings.NatsUrl, connection.ServerInfo?.Version ?? "?", connection.ServerInfo?.MaxPayload ?? 0);
                return;
            }
            catch (NatsException e)
            {
                LogConnectFailed(logger, settings.NatsUrl, e.Message, (long)pause.TotalMilliseconds);
                await Task.Delay(pause, ct);
                pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
            }
        }
    }

    /// <summary>One lease term: catch up with the stream's end, then ingest into it until the term ends.</summary>
    private async Task LeadAsync(CancellationToken term)
    {
        var batches = new JetStreamBatchStream(stream, follower, connection, loggers.CreateLogger<JetStreamBatchStream>());
        var state = await batches.CatchUpAsync(term);
        var applied = services.GetRequiredService<SpinPetIndexer>();
        LogLeading(logger, settings.NodeId, state.Epoch, state.LastSeq, applied.ReadCheckpoint()?.Slot ?? 0);
        if (state.LastSeq == 0 && applied.ReadCheckpoint() is { } checkpoint)
        {
            // An empty stream led by a node with history: that history is not in the stream, and a gateway started
            // on an empty database never gets it. The ingest goes on from the checkpoint, as it must not re-publish.
            LogHistoryOutsideStream(logger, settings.NodeId, checkpoint.Slot);
        }
        var ingest = new IngestService(
            services.GetRequiredService<IOptions<SolanaOptions>>().Value,
            batches,
            applied,
            services.GetRequiredService<IBackfillJournal>(),
            services.GetRequiredService<IHttpClientFactory>().CreateClient(IngestServiceCollectionExtensions.RpcHttpClient),
            loggers,
            services.GetRequiredService<IngestStatus>(),
            services.GetRequiredService<IOptions<KlineOptions>>().Value.FinalizeGraceMs,
            services.GetRequiredService<TimeProvider>());
        await ingest.RunAsync(term);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Cluster node {NodeId} ({Role}) on {Url}: stream {Stream}, subject {Subject}")]
    private static partial void LogStarting(ILogger logger, string nodeId, string role, string url, string stream, string subject);

    [LoggerMessage(Level = LogLevel.Information, Message = "Connected to nats-server {Version} at {Url} (max payload {MaxPayload} bytes)")]
    private static partial void LogConnected(ILogger logger, string url, string version, long maxPayload);

    [LoggerMessage(Level = LogLevel.Warning, Message = "nats-server at {Url} unreachable ({Reason}); serving stored data, retrying in {DelayMs} ms")]
    private static partial void LogConnectFailed(ILogger logger, string url, string reason, long delayMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ingest leader {NodeId}: the stream is empty but this node's database already holds history up to slot {Slot}; that history is not in the stream (start a cluster's nodes on empty databases)")]
    private static partial void LogHistoryOutsideStream(ILogger logger, string nodeId, ulong slot);

    [LoggerMessage(Level = LogLevel.Information, Message = "Ingest leader {NodeId}: caught up with {Epoch} at seq {LastSeq}; ingesting from checkpoint slot {Slot}")]
    private static partial void LogLeading(ILogger logger, string nodeId, string epoch, long lastSeq, ulong slot);
}
