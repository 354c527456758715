using SpinPet.Core.Chain;
using SpinPet.Core.Ingest;

namespace SpinPet.Solana.Ingest;

/// <summary>
/// What the ingest asks of the side that applies its batches (the indexer): where it stands and what it stored, to
/// skip what is applied and to number a late transaction, and the two clocks a finalization needs. The ingest writes
/// only through the batch stream (<see cref="Core.Stream.IBatchStream"/>).
/// </summary>
public interface IAppliedState
{
    Checkpoint? ReadCheckpoint();

    bool Contains(TxSignature signature);

    /// <summary>The highest transaction index stored for a slot (for a late transaction of an older slot).</summary>
    uint? LastTxIndexInSlot(ulong slot);

    /// <summary>The newest applied block time (unix seconds): the chain clock.</summary>
    long ChainClock { get; }

    /// <summary>The earliest bucket end of a candle not final yet (unix seconds), or null when every candle is final.</summary>
    long? EarliestOpenCandleEnd { get; }
}
