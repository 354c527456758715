namespace SpinPet.Solana.PubSub;

/// <summary>
/// The node answered a subscribe request with an error, or with a result that is not a subscription id. Without
/// that subscription the connection is useless, so this ends it and the reader reconnects with back-off.
/// Deliberately not an <see cref="InvalidOperationException"/>: the frame handler treats those as garbage.
/// </summary>
public sealed class SubscriptionRefusedException(string method, string nodeAnswer)
    : Exception($"{method} was refused: {nodeAnswer}")
{
    public string Method { get; } = method;

    /// <summary>The node's error object (or its whole answer when it had none), shortened for the log.</summary>
    public string NodeAnswer { get; } = nodeAnswer;
}
