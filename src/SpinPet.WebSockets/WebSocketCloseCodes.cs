namespace SpinPet.WebSockets;

/// <summary>RFC 6455 section 7.4 close codes used by this server (plus 1013 from the IANA registry).</summary>
public static class WebSocketCloseCodes
{
    public const ushort NormalClosure = 1000;
    public const ushort GoingAway = 1001;
    public const ushort ProtocolError = 1002;
    public const ushort UnsupportedData = 1003;

    /// <summary>Reported locally when a close frame had no code; never sent.</summary>
    public const ushort NoStatusReceived = 1005;

    /// <summary>Reported locally when the connection ended without a close frame; never sent.</summary>
    public const ushort AbnormalClosure = 1006;

    public const ushort InvalidPayloadData = 1007;
    public const ushort PolicyViolation = 1008;
    public const ushort MessageTooBig = 1009;
    public const ushort InternalError = 1011;
    public const ushort TryAgainLater = 1013;

    /// <summary>
    /// Whether <paramref name="code"/> may appear in a close frame: 1004-1006 and 1015 are reserved for local use,
    /// 1016-2999 are unassigned and below 1000 is unused (RFC 6455 section 7.4.2); 1012-1014 are IANA-registered.
    /// </summary>
    public static bool IsValidOnWire(ushort code) =>
        code is (>= 1000 and <= 1003) or (>= 1007 and <= 1014) or (>= 3000 and <= 4999);
}
