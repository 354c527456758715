namespace SpinPet.SocketIO;

/// <summary>Why an EVENT of a connected namespace was not delivered to <see cref="ISocketIONamespaceHandler.OnEventAsync"/>.</summary>
public enum SocketIORejection
{
    /// <summary>Its data is not a JSON array whose first element names the event (bad JSON, not an array, a reserved name). The session stays open.</summary>
    InvalidPayload,

    /// <summary>The client sent faster than the inbound rate limit; the event was dropped. The session stays open.</summary>
    RateLimited,

    /// <summary>The packet is larger than <see cref="SocketIOServerOptions.MaxPacketBytes"/>; the session is closed after the reply.</summary>
    TooLarge,

    /// <summary>A binary event or ack (packet types 5 and 6), which the subset does not serve; the session is closed after the reply.</summary>
    BinaryNotSupported,
}
