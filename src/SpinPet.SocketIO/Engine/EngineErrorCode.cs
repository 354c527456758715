namespace SpinPet.SocketIO.Engine;

/// <summary>
/// The Engine.IO server's handshake error codes, answered as <c>{"code":N,"message":"…"}</c> with HTTP 400 (403 for
/// <see cref="Forbidden"/>), the numbers and messages of the reference server.
/// </summary>
public enum EngineErrorCode
{
    TransportUnknown = 0,
    SessionIdUnknown = 1,
    BadHandshakeMethod = 2,
    BadRequest = 3,
    Forbidden = 4,
    UnsupportedProtocolVersion = 5,
}
