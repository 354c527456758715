namespace SpinPet.Solana.PubSub;

/// <summary>What was wrong with a frame or notification the node sent; each kind is logged on its own schedule.</summary>
public enum BadInputKind
{
    /// <summary>Not parsable as JSON.</summary>
    NotJson,

    /// <summary>JSON whose root is not an object.</summary>
    NotAnObject,

    /// <summary>An object with missing or wrongly typed fields.</summary>
    Malformed,

    /// <summary>A notification method we did not subscribe to.</summary>
    UnknownMethod,

    /// <summary>A notification for a subscription id this connection does not hold.</summary>
    UnknownSubscription,

    /// <summary>A response to a request id we never sent.</summary>
    UnknownResponseId,

    /// <summary>A message over the size limit (drained and dropped).</summary>
    Oversize,

    /// <summary>A binary frame (the PubSub protocol is text).</summary>
    BinaryFrame,

    /// <summary>A logs notification whose signature is not a transaction signature.</summary>
    BadSignature,
}
