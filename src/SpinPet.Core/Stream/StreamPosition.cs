namespace SpinPet.Core.Stream;

/// <summary>
/// Where an applied batch stands (protocol.md, "Position and resume"): <see cref="Seq"/> is strictly increasing within
/// <see cref="Epoch"/>, a string that changes only when the history is reset (a new database, a candle rebuild, later a
/// new cluster stream). Seq 0 is the state an epoch began with: nothing applied yet, or what a store held before it
/// recorded positions.
/// </summary>
public readonly record struct StreamPosition(string Epoch, long Seq)
{
    /// <summary>A new epoch: 32 hex digits of a random GUID, unique for every history reset.</summary>
    public static string NewEpoch() => Guid.NewGuid().ToString("N");

    /// <summary>The next batch's position in the same epoch.</summary>
    public StreamPosition Next() => this with { Seq = checked(Seq + 1) };

    public override string ToString() => $"{Epoch}:{Seq}";
}
