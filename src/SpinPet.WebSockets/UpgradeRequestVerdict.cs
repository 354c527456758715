namespace SpinPet.WebSockets;

/// <summary>What <see cref="UpgradeRequestReader"/> made of a connection's bytes so far.</summary>
public enum UpgradeRequestVerdict
{
    /// <summary>They may still become a request it takes: read more (within the caller's time bound).</summary>
    NeedMore,

    /// <summary>Not a request it takes: hand the connection, its bytes unread, to the HTTP stack.</summary>
    NotTaken,

    /// <summary>A complete upgrade request it vouches for.</summary>
    Taken,
}
