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
