namespace SpinPet.Streaming.Protocol;

/// <summary>The error codes of protocol.md.</summary>
public enum ErrorCode
{
    InvalidRequest = 1001,
    SubscriptionRefused = 1002,
    HistoryFailed = 1003,
    RateLimited = 1004,
    MessageTooLarge = 1005,
}

/// <summary>WebSocket close codes the server uses (RFC 6455 §7.4).</summary>
public static class CloseCode
{
    public const ushort Normal = 1000;
    public const ushort GoingAway = 1001;
    public const ushort PolicyViolation = 1008;
    public const ushort MessageTooBig = 1009;
    public const ushort InternalError = 1011;
    public const ushort TryAgainLater = 1013;
}
