using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SpinPet.Solana.Decoding;
using SpinPet.Solana.PubSub;
using SpinPet.Solana.Rpc;

namespace SpinPet.Solana.Ingest;

/// <summary>
/// Follows the program from the node into the sink, exactly once and in chain order. One loop owns all state
/// (<see cref="IngestLoop"/>): it backfills from the checkpoint (on start, after every (re)subscription and after a
/// live-queue overflow), then applies live notifications, skipping any signature already stored. The socket reader
/// runs beside it and never waits for it. Any failure (RPC gone, storage error) costs a back-off and a resync, never
/// the loop.
/// </summary>
public sealed partial class IngestService : BackgroundService
{
    private readonly SolanaOptions _options;
    private readonly IIngestSink _sink;
    private readonly IBackfillJournal _journal;
    private readonly HttpClient _http;
    private readonly ILogger<IngestService> _logger;
    private readonly ILoggerFactory _loggers;
    private readonly TransactionDecoder _decoder;

    public IngestService(SolanaOptions options, IIngestSink sink, IBackfillJournal journal, HttpClient http, ILoggerFactory loggers, IngestStatus status)
    {
        _options = options;
        _sink = sink;
        _journal = journal;
        _http = http;
        _loggers = loggers;
        _logger = loggers.CreateLogger<IngestService>();
        Status = status;
        _decoder = new TransactionDecoder(options.ProgramKey);
        status.Enabled = options.EnableEventListener;
    }

    public IngestStatus Status { get; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
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
            await new IngestLoop(_options, _sink, _journal, _decoder, Status, _logger, rpc, pubsub, blockTimes).RunAsync(stoppingToken);
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
