using Microsoft.Extensions.Options;
using SpinPet.Server.Configuration;
using SpinPet.Solana.Ingest;

namespace SpinPet.Server.Candles;

/// <summary>
/// Four times a second, marks final the newest candles whose bucket has closed (chain clock, once no backfill of
/// earlier slots is pending; or wall clock plus <c>kline.finalize_grace_ms</c>, once nothing known on chain is
/// unapplied: <see cref="IngestStatus.TrustedWallClockMs"/>), stores that and lets the push feature announce it.
/// A quarter second keeps the final push well inside the grace without measurable cost: a pass visits only the mints
/// with a candle not final yet (the builder keeps that index), not every topic ever seen.
/// </summary>
internal sealed partial class CandleFinalizerService(
    CandleEngine engine, IngestStatus ingest, IOptions<KlineOptions> options, TimeProvider time, ILogger<CandleFinalizerService> logger)
    : BackgroundService
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(250);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Tick, time);
        int grace = options.Value.FinalizeGraceMs;
        bool failing = false;
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                engine.FinalizeDue(() => new FinalizeClocks(ingest.NoBackfillPending, ingest.TrustedWallClockMs(time.GetUtcNow().ToUnixTimeMilliseconds())), grace);
                failing = false;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Logged once per episode: a storage failure would otherwise log four times a second.
                if (!failing)
                {
                    LogFailed(logger, ex);
                    failing = true;
                }
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Finalizing candles failed; retrying every tick")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
