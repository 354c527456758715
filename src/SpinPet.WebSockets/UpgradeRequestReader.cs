using System.Buffers;
using System.Text;

namespace SpinPet.WebSockets;

/// <summary>
/// Reads a connection's first bytes as an HTTP/1.1 WebSocket upgrade request to one path, for a server that takes such
/// connections before its HTTP stack creates its objects for them (decision record 0014). It is deliberately narrower
/// than HTTP: it takes only a request it can fully vouch for (a GET of the path over HTTP/1.1 with one Host, one
/// version 13 and one valid key, no body, every header line plain visible ASCII, the head within
/// <see cref="MaxHeadBytes"/>) and answers <see cref="UpgradeRequestVerdict.NotTaken"/> for anything else, which the
/// caller hands to the full HTTP stack untouched: that stack's parsing, limits and refusals stay the authority.
/// </summary>
public static class UpgradeRequestReader
{
    /// <summary>A browser's upgrade request is 400–1,500 bytes (cookies included); a longer head goes to the HTTP stack.</summary>
    public const int MaxHeadBytes = 8 * 1024;

    private const int MaxHeaderLines = 64;

    private static ReadOnlySpan<byte> Get => "GET "u8;

    private static ReadOnlySpan<byte> Version => " HTTP/1.1"u8;

    private static ReadOnlySpan<byte> HeadEnd => "\r\n\r\n"u8;

    /// <summary>
    /// <see cref="UpgradeRequestVerdict.NeedMore"/> while the bytes so far could still begin such a request and its
    /// head has not ended; <see cref="UpgradeRequestVerdict.Taken"/> with the parsed request; otherwise
    /// <see cref="UpgradeRequestVerdict.NotTaken"/>, decided as early as the bytes allow (the first byte of a POST).
    /// </summary>
    public static UpgradeRequestVerdict Read(in ReadOnlySequence<byte> buffer, ReadOnlySpan<byte> path, out UpgradeRequest? request)
    {
        request = null;
        // "GET " + path + ' ' or '?': enough to tell any other request from ours.
        int prefixLength = Get.Length + path.Length + 1;
        Span<byte> prefix = stackalloc byte[prefixLength];
        int available = (int)Math.Min(buffer.Length, prefixLength);
        buffer.Slice(0, available).CopyTo(prefix);
        if (!StartsLikeOurs(prefix[..available], path))
        {
            return UpgradeRequestVerdict.NotTaken;
        }
        if (available < prefixLength)
        {
            return UpgradeRequestVerdict.NeedMore;
        }

        var window = buffer.Slice(0, Math.Min(buffer.Length, MaxHeadBytes));
        byte[]? rented = null;
        try
        {
            ReadOnlySpan<byte> head;
            if (window.IsSingleSegment)
            {
                head = window.FirstSpan;
            }
            else
            {
                rented = ArrayPool<byte>.Shared.Rent((int)window.Length);
                window.CopyTo(rented);
                head = rented.AsSpan(0, (int)window.Length);
            }
            int end = head.IndexOf(HeadEnd);
            if (end < 0)
            {
                return buffer.Length >= MaxHeadBytes ? UpgradeRequestVerdict.NotTaken : UpgradeRequestVerdict.NeedMore;
            }
            // The lines up to and including the last header's CRLF; the blank line is not a header.
            request = Parse(head[..(end + 2)], path, end + HeadEnd.Length);
            return request is null ? UpgradeRequestVerdict.NotTaken : UpgradeRequestVerdict.Taken;
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private static bool StartsLikeOurs(ReadOnlySpan<byte> start, ReadOnlySpan<byte> path)
    {
        int fixedLength = Math.Min(start.Length, Get.Length + path.Length);
        for (int i = 0; i < fixedLength; i++)
        {
            byte expected = i < Get.Length ? Get[i] : path[i - Get.Length];
            if (start[i] != expected)
            {
                return false;
            }
        }
        return start.Length <= fixedLength || start[fixedLength] is (byte)' ' or (byte)'?';
    }

    private static UpgradeRequest? Parse(ReadOnlySpan<byte> lines, ReadOnlySpan<byte> path, int headLength)
    {
        int lineEnd = lines.IndexOf("\r\n"u8);
        var requestLine = lines[..lineEnd];
        lines = lines[(lineEnd + 2)..];
        if (!requestLine.EndsWith(Version))
        {
            return null;
        }
        var target = requestLine[Get.Length..^Version.Length];
        if (!IsPlainTarget(target, path))
        {
            return null;
        }

        var fields = new Fields();
        int count = 0;
        while (!lines.IsEmpty)
        {
            lineEnd = lines.IndexOf("\r\n"u8);
            var line = lines[..lineEnd];
            lines = lines[(lineEnd + 2)..];
            if (++count > MaxHeaderLines || !TrySplit(line, out var name, out var value) || !fields.Take(name, value))
            {
                return null;
            }
        }
        return fields.ToRequest(Encoding.ASCII.GetString(target), headLength);
    }

    /// <summary>The path itself, or the path and a query; visible ASCII only, no fragment.</summary>
    private static bool IsPlainTarget(ReadOnlySpan<byte> target, ReadOnlySpan<byte> path)
    {
        if (!target.StartsWith(path) || (target.Length > path.Length && target[path.Length] != (byte)'?'))
        {
            return false;
        }
        foreach (byte b in target)
        {
            if (b is < 0x21 or > 0x7E or (byte)'#')
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>
    /// <c>name ":" OWS value OWS</c> (RFC 9112 section 5): a token for the name, no space before the colon, a value of
    /// visible ASCII, spaces and tabs. No obs-fold, no obs-text, no control bytes (a lone CR or LF among them).
    /// </summary>
    private static bool TrySplit(ReadOnlySpan<byte> line, out ReadOnlySpan<byte> name, out ReadOnlySpan<byte> value)
    {
        value = default;
        int colon = line.IndexOf((byte)':');
        name = colon > 0 ? line[..colon] : default;
        if (name.IsEmpty)
        {
            return false;
        }
        foreach (byte b in name)
        {
            if (!IsTokenByte(b))
            {
                return false;
            }
        }
        value = line[(colon + 1)..].Trim(" \t"u8);
        foreach (byte b in value)
        {
            if (b is not ((>= 0x20 and <= 0x7E) or (byte)'\t'))
            {
                return false;
            }
        }
        return true;
    }

    // RFC 9110 section 5.6.2: tchar.
    private static bool IsTokenByte(byte b) =>
        b is (>= (byte)'a' and <= (byte)'z') or (>= (byte)'A' and <= (byte)'Z') or (>= (byte)'0' and <= (byte)'9')
            or (byte)'!' or (byte)'#' or (byte)'$' or (byte)'%' or (byte)'&' or (byte)'\'' or (byte)'*' or (byte)'+'
            or (byte)'-' or (byte)'.' or (byte)'^' or (byte)'_' or (byte)'`' or (byte)'|' or (byte)'~';

    /// <summary>The header fields the upgrade depends on, as they are read; any doubt makes the request not ours.</summary>
    private ref struct Fields
    {
        private string? _host;
        private string? _origin;
        private string? _key;
        private string? _extensions;
        private bool _connectionUpgrade;
        private bool _upgradeWebSocket;
        private bool _version13;

        public bool Take(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
        {
            if (Ascii.EqualsIgnoreCase(name, "host"u8))
            {
                return TakeOnce(ref _host, value) && IsPlainHost(value);
            }
            if (Ascii.EqualsIgnoreCase(name, "origin"u8))
            {
                return TakeOnce(ref _origin, value);
            }
            if (Ascii.EqualsIgnoreCase(name, "sec-websocket-key"u8))
            {
                return TakeOnce(ref _key, value);
            }
            if (Ascii.EqualsIgnoreCase(name, "sec-websocket-version"u8))
            {
                if (_version13 || !value.SequenceEqual("13"u8))
                {
                    return false;
                }
                _version13 = true;
                return true;
            }
            if (Ascii.EqualsIgnoreCase(name, "sec-websocket-extensions"u8))
            {
                // A repeated field is one list (RFC 9110 section 5.3).
                string item = Encoding.ASCII.GetString(value);
                _extensions = _extensions is null ? item : $"{_extensions}, {item}";
                return true;
            }
            if (Ascii.EqualsIgnoreCase(name, "connection"u8))
            {
                _connectionUpgrade |= HasToken(value, "upgrade"u8);
                return true;
            }
            if (Ascii.EqualsIgnoreCase(name, "upgrade"u8))
            {
                _upgradeWebSocket |= HasToken(value, "websocket"u8);
                return true;
            }
            // A request with a body is never ours: its bytes would be read as WebSocket frames.
            return !Ascii.EqualsIgnoreCase(name, "content-length"u8) && !Ascii.EqualsIgnoreCase(name, "transfer-encoding"u8);
        }

        public readonly UpgradeRequest? ToRequest(string target, int headLength)
        {
            if (_host is null || _key is null || !_connectionUpgrade || !_upgradeWebSocket || !_version13
                || !WebSocketHandshake.IsValidKey(_key))
            {
                return null;
            }
            return new UpgradeRequest(target, _host, _origin, WebSocketHandshake.ComputeAccept(_key), _extensions, headLength);
        }

        private static bool TakeOnce(ref string? field, ReadOnlySpan<byte> value)
        {
            if (field is not null || value.IsEmpty)
            {
                return false;
            }
            field = Encoding.ASCII.GetString(value);
            return true;
        }

        /// <summary>A host name or address and an optional port: what a browser sends; anything else goes to the HTTP stack.</summary>
        private static bool IsPlainHost(ReadOnlySpan<byte> value)
        {
            foreach (byte b in value)
            {
                if (b is not ((>= (byte)'a' and <= (byte)'z') or (>= (byte)'A' and <= (byte)'Z') or (>= (byte)'0' and <= (byte)'9')
                    or (byte)'.' or (byte)'-' or (byte)':' or (byte)'[' or (byte)']' or (byte)'_'))
                {
                    return false;
                }
            }
            return true;
        }

        /// <summary>Whether a comma-separated list contains <paramref name="token"/>, ignoring case and blanks around items.</summary>
        private static bool HasToken(ReadOnlySpan<byte> list, ReadOnlySpan<byte> token)
        {
            foreach (var range in list.Split((byte)','))
            {
                if (Ascii.EqualsIgnoreCase(list[range].Trim(" \t"u8), token))
                {
                    return true;
                }
            }
            return false;
        }
    }
}
