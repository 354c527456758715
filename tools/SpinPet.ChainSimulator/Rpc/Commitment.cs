namespace SpinPet.ChainSimulator.Rpc;

/// <summary>A request's commitment level. Finalized trails confirmed by 32 slots, as on mainnet.</summary>
internal enum Commitment
{
    Processed,
    Confirmed,
    Finalized,
}
