namespace SpinPet.ChainSimulator;

/// <summary>
/// One transaction that mentions the program. <see cref="IndexInBlock"/> is its position in the whole block,
/// which also holds unrelated transactions, so it has gaps. <see cref="Events"/> are the program's events
/// visible in <see cref="Logs"/> (none after a <c>Log truncated</c> line); a failed transaction keeps the ones it
/// logged before failing, although none of them happened. <see cref="MalformedData"/> are the program's visible
/// <c>Program data:</c> lines that are not events (see <see cref="SimulatorOptions.MalformedDataRate"/>).
/// </summary>
public sealed record SimulatedTransaction(
    string Signature,
    ulong Slot,
    int IndexInBlock,
    bool Failed,
    IReadOnlyList<string> Logs,
    IReadOnlyList<LedgerEvent> Events,
    IReadOnlyList<LedgerMalformedData> MalformedData);
