namespace SpinPet.Storage;

/// <summary>What one <see cref="EventLog.Stage"/> staged (and its write stores once committed).</summary>
/// <param name="Applied">New transactions recorded, failed ones included.</param>
/// <param name="Duplicates">Transactions skipped because they were already stored or appeared earlier in the same call.</param>
/// <param name="Failed">New failed (reverted) transactions: recorded, no events.</param>
/// <param name="EventsWritten">Events written.</param>
/// <param name="RejectedWritten">Rejected payloads written.</param>
public readonly record struct ApplyResult(int Applied, int Duplicates, int Failed, int EventsWritten, int RejectedWritten);
