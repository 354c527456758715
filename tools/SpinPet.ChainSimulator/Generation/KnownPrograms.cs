namespace SpinPet.ChainSimulator.Generation;

/// <summary>Real program ids that appear around SpinPet's instructions in mainnet logs.</summary>
internal static class KnownPrograms
{
    public const string ComputeBudget = "ComputeBudget111111111111111111111111111111";
    public const string System = "11111111111111111111111111111111";
    public const string Token = "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA";
    public const string TokenMetadata = "metaqbxxUerdq28cj1RbAWkYQm3ybzjb6a8bt518x1s";

    /// <summary>An aggregator that routes swaps and calls SpinPet by CPI (Jupiter v6's id).</summary>
    public const string Router = "JUP6LkbZbjS1jKKwapdHNy74zcZ3tLUZoi5QNyVTaV4";
}
