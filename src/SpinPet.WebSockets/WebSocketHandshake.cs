using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Primitives;

namespace SpinPet.WebSockets;

/// <summary>
/// The server side of the RFC 6455 section 4.2 opening handshake over HTTP/1.1. No subprotocol is negotiated; the
/// only extension is RFC 7692 permessage-deflate, and only when the caller enables it
/// (<see cref="PerMessageDeflateNegotiation"/>). Without it <see cref="WebSocketConnection"/> rejects every RSV bit.
/// </summary>
public static class WebSocketHandshake
{
    /// <summary>The only protocol version this server speaks (RFC 6455 section 4.4).</summary>
    public const string SupportedVersion = "13";

    // RFC 6455 section 1.3: the GUID appended to the client's key before hashing.
    private static ReadOnlySpan<byte> AcceptGuid => "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"u8;

    /// <summary>
    /// Validates an upgrade request: GET over HTTP/1.1, <c>Connection</c> containing the <c>upgrade</c> token,
    /// <c>Upgrade: websocket</c>, <c>Sec-WebSocket-Version: 13</c> and a <c>Sec-WebSocket-Key</c> that is the base64
    /// of 16 bytes. On success <paramref name="acceptKey"/> is the <c>Sec-WebSocket-Accept</c> value; otherwise
    /// <paramref name="problem"/> says what is wrong.
    /// </summary>
    public static bool TryAccept(HttpRequest request, out string acceptKey, out string? problem) =>
        Validate(request, out acceptKey, out problem) == StatusCodes.Status101SwitchingProtocols;

    /// <summary>base64(SHA-1(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")).</summary>
    public static string ComputeAccept(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        int length = Encoding.UTF8.GetByteCount(key) + AcceptGuid.Length;
        Span<byte> input = length <= 256 ? stackalloc byte[256] : new byte[length];
        int written = Encoding.UTF8.GetBytes(key, input);
        AcceptGuid.CopyTo(input[written..]);
        Span<byte> hash = stackalloc byte[SHA1.HashSizeInBytes];
#pragma warning disable CA5350 // RFC 6455 fixes SHA-1 here; it proves a WebSocket-aware server answered, not secrecy.
        SHA1.HashData(input[..length], hash);
#pragma warning restore CA5350
        return Convert.ToBase64String(hash);
    }

    /// <summary>
    /// The 101 answer to an upgrade request taken before the HTTP stack (<see cref="UpgradeRequestReader"/>): the
    /// handshake's headers and, when one was negotiated, the accepted extension. ASCII, written to the connection as is.
    /// </summary>
    public static byte[] SwitchingProtocols(string acceptKey, string? extensions)
    {
        ArgumentNullException.ThrowIfNull(acceptKey);
        string response = "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
            + $"Sec-WebSocket-Accept: {acceptKey}\r\n"
            + (extensions is null ? "" : $"Sec-WebSocket-Extensions: {extensions}\r\n")
            + "\r\n";
        return Encoding.ASCII.GetBytes(response);
    }

    /// <summary>
    /// Validates the request, answers 101 with the handshake headers and returns the raw duplex stream of the
    /// upgraded connection. When the request is refused it writes a 400 (or 426 with
    /// <c>Sec-WebSocket-Version: 13</c> for a wrong version) with the reason as text and returns null.
    /// </summary>
    public static async Task<Stream?> UpgradeAsync(HttpContext context) =>
        (await UpgradeCoreAsync(context, enableDeflate: false)).Transport;

    /// <summary>
    /// <see cref="UpgradeAsync"/> plus the connection, wired so that <see cref="WebSocketConnection.Abort"/> also
    /// aborts the HTTP connection (Kestrel's upgraded stream ignores Dispose; only this drops a stuck socket).
    /// </summary>
    public static Task<WebSocketConnection?> AcceptAsync(HttpContext context, int maxMessageBytes) =>
        AcceptAsync(context, maxMessageBytes, enableDeflate: false);

    /// <summary>
    /// As <see cref="AcceptAsync(HttpContext, int)"/>; with <paramref name="enableDeflate"/> a permessage-deflate
    /// offer of the client is accepted (<see cref="PerMessageDeflateNegotiation"/>) and the connection's
    /// <see cref="WebSocketConnection.IsDeflateNegotiated"/> says whether one was. A client that offers nothing
    /// acceptable gets a plain connection.
    /// </summary>
    public static Task<WebSocketConnection?> AcceptAsync(HttpContext context, int maxMessageBytes, bool enableDeflate) =>
        AcceptAsync(context, maxMessageBytes, enableDeflate, directSend: false);

    /// <summary>
    /// As <see cref="AcceptAsync(HttpContext, int, bool)"/>; with <paramref name="directSend"/> a plaintext connection
    /// writes straight to its socket (<see cref="DirectSendStream"/>, whose precondition the caller vouches for: the
    /// transport schedules inline). A TLS connection, or one whose socket Kestrel does not expose, writes through the
    /// upgraded stream as usual.
    /// </summary>
    public static async Task<WebSocketConnection?> AcceptAsync(HttpContext context, int maxMessageBytes, bool enableDeflate, bool directSend)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxMessageBytes);
        var (transport, deflate) = await UpgradeCoreAsync(context, enableDeflate);
        if (transport is null)
        {
            return null;
        }
        if (directSend && context.Features.Get<ITlsConnectionFeature>() is null
            && context.Features.Get<IConnectionSocketFeature>()?.Socket is { } socket)
        {
            transport = new DirectSendStream(transport, socket);
        }
        return new WebSocketConnection(transport, maxMessageBytes, context.Abort, deflate);
    }

    private static async Task<(Stream? Transport, bool Deflate)> UpgradeCoreAsync(HttpContext context, bool enableDeflate)
    {
        ArgumentNullException.ThrowIfNull(context);
        int status = Validate(context.Request, out string acceptKey, out string? problem);
        var upgrade = context.Features.Get<IHttpUpgradeFeature>();
        if (status == StatusCodes.Status101SwitchingProtocols && upgrade is not { IsUpgradableRequest: true })
        {
            status = StatusCodes.Status400BadRequest;
            problem = "this connection cannot be upgraded";
        }

        if (status != StatusCodes.Status101SwitchingProtocols)
        {
            await RefuseAsync(context.Response, status, problem!);
            return (null, false);
        }

        var headers = context.Response.Headers;
        headers.Upgrade = "websocket";
        headers.Connection = "Upgrade";
        headers.SecWebSocketAccept = acceptKey;
        string? extensions = null;
        bool deflate = enableDeflate
            && PerMessageDeflateNegotiation.TryNegotiate(context.Request.Headers.SecWebSocketExtensions, out extensions);
        if (deflate)
        {
            headers.SecWebSocketExtensions = extensions;
        }
        return (await upgrade!.UpgradeAsync(), deflate);
    }

    /// <summary>Returns 101 when the request is acceptable, else the status of the refusal (400 or 426).</summary>
    internal static int Validate(HttpRequest request, out string acceptKey, out string? problem)
    {
        ArgumentNullException.ThrowIfNull(request);
        acceptKey = string.Empty;
        problem = null;
        var headers = request.Headers;
        if (!HttpMethods.IsGet(request.Method))
        {
            problem = "a WebSocket upgrade must be a GET request";
        }
        else if (!HttpProtocol.IsHttp11(request.Protocol))
        {
            problem = "a WebSocket upgrade must use HTTP/1.1";
        }
        else if (!HasToken(headers.Connection, "upgrade"))
        {
            problem = "the Connection header must contain 'upgrade'";
        }
        else if (!HasToken(headers.Upgrade, "websocket"))
        {
            problem = "the Upgrade header must be 'websocket'";
        }
        else if (headers.SecWebSocketVersion is not [SupportedVersion])
        {
            problem = "unsupported Sec-WebSocket-Version; this server speaks version 13";
            return StatusCodes.Status426UpgradeRequired;
        }
        else if (headers.SecWebSocketKey is not [{ } key] || !IsValidKey(key))
        {
            problem = "Sec-WebSocket-Key must be the base64 encoding of 16 bytes";
        }
        else
        {
            acceptKey = ComputeAccept(key);
            return StatusCodes.Status101SwitchingProtocols;
        }
        return StatusCodes.Status400BadRequest;
    }

    internal static bool IsValidKey(string key)
    {
        // 16 bytes are 24 base64 characters ending in "=="; anything else is not a nonce of the right size.
        Span<byte> nonce = stackalloc byte[18];
        return key.Length == 24 && Convert.TryFromBase64String(key, nonce, out int written) && written == 16;
    }

    /// <summary>Whether a comma-separated header (possibly repeated) contains <paramref name="token"/>, ignoring case.</summary>
    private static bool HasToken(StringValues values, string token)
    {
        foreach (string? value in values)
        {
            ReadOnlySpan<char> rest = value;
            while (!rest.IsEmpty)
            {
                int comma = rest.IndexOf(',');
                ReadOnlySpan<char> item = (comma < 0 ? rest : rest[..comma]).Trim(" \t");
                if (item.Equals(token, StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }
                rest = comma < 0 ? default : rest[(comma + 1)..];
            }
        }
        return false;
    }

    private static async Task RefuseAsync(HttpResponse response, int status, string problem)
    {
        response.StatusCode = status;
        if (status == StatusCodes.Status426UpgradeRequired)
        {
            // RFC 6455 section 4.4: list the versions we do speak; RFC 9110 section 15.5.22: a 426 names the protocol.
            response.Headers.SecWebSocketVersion = SupportedVersion;
            response.Headers.Upgrade = "websocket";
        }
        byte[] body = Encoding.UTF8.GetBytes(problem + "\n");
        response.ContentType = "text/plain; charset=utf-8";
        response.ContentLength = body.Length;
        await response.Body.WriteAsync(body);
    }
}
