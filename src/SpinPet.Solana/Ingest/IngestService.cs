using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SpinPet.Core.Stream;
using SpinPet.Solana.Decoding;
using SpinPet.Solana.PubSub;
using SpinPet.Solana.Rpc;

namespace SpinPet.Solana.Ingest;

/// <summary>
/// Follows the program from the node into the batch stream, exactly once and in chain order, and appends the clock that
/// finalizes candles (<see cref="FinalizeSchedule"/>). One loop owns all state
/// (<see cref="IngestLoop"/>): it backfills from the checkpoint (on start, after every (re)subscription and after a
/// live-queue overflow), then applies live notifications, skipping any signature already stored. The socket reader
/// runs beside it and never waits for it. Any failure (RPC gone, storage error) costs a back-off and a resync, never
/// the loop.
/// </summary>
public sealed partial class IngestService : BackgroundService
{
    private readonly SolanaOptions _options;
    private readonly IBatchStream _stream;
    private readonly IAppliedState _applied;
    private readonly IBackfillJournal _journal;
    private readonly int _finalizeGraceMs;
    private readonly TimeProvider _time;
    private readonly HttpClient _http;
    private readonly ILogger<IngestService> _logger;
    private readonly ILoggerFactory _loggers;
    private readonly TransactionDecoder _decoder;

    /// <param name="finalizeGraceMs"><c>kline.finalize_grace_ms</c>: how long past a bucket's end the wall clock waits to finalize it.</param>
    public IngestService(
        SolanaOptions options, IBatchStream stream, IAppliedState applied, IBackfillJournal journal, HttpClient http, ILoggerFactory loggers,
        IngestStatus status, int finalizeGraceMs, TimeProvider? time = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(finalizeGraceMs);
        _options = options;
        _stream = stream;
        _applied = applied;
        _journal = journal;
        _finalizeGraceMs = finalizeGraceMs;
        _time = time ?? TimeProvider.System;
        _http = http;
        _loggers = loggers;
        _logger = loggers.CreateLogger<IngestService>();
        Status = status;
        _decoder = new TransactionDecoder(options.ProgramKey);
        status.Enabled = options.EnableEventListener;
    }

    public IngestStatus Status { get; }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => RunAsync(stoppingToken);

    /// <summary>
    /// One run of the ingest until <paramref name="stoppingToken"/> ends: as a hosted service in one process, or for
    /// one lease term of a cluster's ingest leader (a new instance per term).
    /// </summary>
    public async Task RunAsync(CancellationToken stoppingToken)
    {
        if (!_options.EnableEventListener)
        {
            LogDisabled(_logger);
            return;
        }
        var rpc = new SolanaRpcClient(_http, _options.RpcUri, _options.Commitment, TimeSpan.FromMilliseconds(_options.RpcTimeoutMs),
            _loggers.CreateLogger<SolanaRpcClient>(), Status.Rpc);
        var blockTimes = new BlockTimeCache(rpc, stoppingToken);
        var pubsub = new SolanaPubSubClient(_options.WsUri, _options.ProgramId, _options.Commitment,
            TimeSpan.FromMilliseconds(_options.WsIdleTimeoutMs), _options.LiveQueueCapacity,
            _loggers.CreateLogger<SolanaPubSubClient>(), blockTimes.Prefetch, Status.Backlog);
        Status.Client = pubsub;
        Status.SetRunning(true);
        var reader = pubsub.RunAsync(stoppingToken);
        try
        {
            var finalize = new FinalizeSchedule(_applied, Status, _time, _finalizeGraceMs);
            await new IngestLoop(_options, _stream, _applied, _journal, _decoder, Status, _logger, rpc, pubsub, blockTimes, finalize).RunAsync(stoppingToken);
        }
        finally
        {
            Status.SetRunning(false);
            await reader;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Event listener disabled (solana.enable_event_listener = false): serving stored data only")]
    private static partial void LogDisabled(ILogger logger);
}
