namespace SpinPet.ChainSimulator.PubSub;

internal enum SubscriptionKind
{
    Logs,
    Slot,
}

/// <summary>One PubSub subscription; a logs subscription with a null <see cref="Mention"/> takes every transaction.</summary>
internal readonly record struct Subscription(ulong Id, SubscriptionKind Kind, string? Mention);
