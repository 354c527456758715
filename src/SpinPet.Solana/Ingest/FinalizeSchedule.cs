using SpinPet.Core.Candles;

namespace SpinPet.Solana.Ingest;

/// <summary>
/// When the ingest appends a "finalize by T" batch (docs/architecture.md, "Candles"): T is the clock candles.md
/// finalizes by, from the ingest's own caught-up state — the chain clock (the newest applied block time) while no
/// backfill of earlier slots is pending, the trusted wall clock (<see cref="IngestStatus.TrustedWallClockMs"/>) minus
/// <c>kline.finalize_grace_ms</c> while nothing known on chain is unapplied (<see cref="CandleFinalizer.FinalizeBy"/>) —
/// and a batch is due only when an open candle's bucket ended by T, so a quiet market appends nothing. Asked by the
/// ingest loop between two of its appends, four times a second: the clocks are read where no batch can slip in
/// between, and every node that applies the stream finalizes at the same position.
/// </summary>
internal sealed class FinalizeSchedule(IAppliedState applied, IngestStatus status, TimeProvider time, int graceMs)
{
    /// <summary>A quarter second keeps the final push well inside the grace without measurable cost.</summary>
    public static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(250);

    private long _nextCheck;

    public TimeProvider Time => time;

    /// <summary>The clock to finalize by now, or null when no open candle's bucket ended by it (or no clock may finalize).</summary>
    public long? Due()
    {
        long nowMs = time.GetUtcNow().ToUnixTimeMilliseconds();
        long? by = CandleFinalizer.FinalizeBy(status.NoBackfillPending ? applied.ChainClock : null, status.TrustedWallClockMs(nowMs), graceMs);
        return by is { } clock && applied.EarliestOpenCandleEnd <= clock ? clock : null;
    }

    /// <summary>True at most once per <see cref="Tick"/>: when a busy loop asks between batches.</summary>
    public bool IsTime()
    {
        long now = time.GetTimestamp();
        if (now < _nextCheck)
        {
            return false;
        }
        _nextCheck = now + (long)(Tick.TotalSeconds * time.TimestampFrequency);
        return true;
    }
}
