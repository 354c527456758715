namespace SpinPet.WebSockets.Tests;

/// <summary>A clock that never moves: a token bucket on it never refills, so which frames it refuses is exact.</summary>
internal sealed class StoppedClock : TimeProvider
{
    public static StoppedClock Instance { get; } = new();

    public override long GetTimestamp() => 0;
}
