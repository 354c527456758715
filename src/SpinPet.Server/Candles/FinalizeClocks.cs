namespace SpinPet.Server.Candles;

/// <summary>
/// Which clocks may finalize candles right now. <paramref name="ChainClock"/>: no backfill of earlier slots is
/// pending, so the newest applied block time has passed everything before it. <paramref name="WallClockMs"/>: the
/// wall clock (unix ms) up to which nothing known on chain is unapplied, or null while something is (docs/architecture.md,
/// "Caught up"). The default allows neither.
/// </summary>
internal readonly record struct FinalizeClocks(bool ChainClock, long? WallClockMs);
