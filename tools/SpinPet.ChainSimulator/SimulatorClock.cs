namespace SpinPet.ChainSimulator;

/// <summary>Where block times come from.</summary>
public enum SimulatorClock
{
    /// <summary>
    /// Block time follows the slot number (<c>GenesisUnixTime + (slot - GenesisSlot) · SlotMilliseconds / 1000</c>),
    /// so tests produce thousands of transactions instantly and replay the same times.
    /// </summary>
    Virtual = 0,

    /// <summary>Block time is the wall clock when the block is produced (the demo).</summary>
    Wall = 1,
}
