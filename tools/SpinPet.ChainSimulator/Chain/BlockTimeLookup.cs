namespace SpinPet.ChainSimulator.Chain;

/// <summary>What the ledger knows about a slot's block time.</summary>
internal enum BlockTimeLookup
{
    Found,
    NotYetProduced,
    Skipped,
    BeforeGenesis,
}
