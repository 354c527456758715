using Microsoft.Extensions.Primitives;

namespace SpinPet.WebSockets;

/// <summary>
/// Picks the first acceptable <c>permessage-deflate</c> offer of a <c>Sec-WebSocket-Extensions</c> request header
/// (RFC 6455 section 9.1 grammar, RFC 7692 section 7 parameters) and words the answer.
/// </summary>
/// <remarks>
/// <para>The answer always carries <c>server_no_context_takeover</c> (each outgoing message is compressed alone,
/// so a shared frame is compressed once for every connection) and <c>client_no_context_takeover</c> (each incoming
/// message is inflated alone, so a connection keeps no inflater, and its 32 KiB window, between messages; incoming
/// messages are requests of about 100 bytes, which gain nothing from a shared window).</para>
/// <para>Our deflater always uses a 32 KiB window, so an offer that limits it (<c>server_max_window_bits</c> below
/// 15) is declined and the next offer considered; <c>server_max_window_bits=15</c> is accepted and echoed.
/// <c>client_max_window_bits</c> (with or without a value) is accepted and not answered: the inflater takes any
/// window up to 15 bits. Offers with unknown, repeated or malformed parameters are declined (section 7.1). A header
/// that does not parse at all negotiates nothing: the connection works uncompressed.</para>
/// </remarks>
public static class PerMessageDeflateNegotiation
{
    private const string BaseResponse = PerMessageDeflate.ExtensionName + "; server_no_context_takeover; client_no_context_takeover";

    /// <summary>
    /// True when one of the offers in <paramref name="header"/> (all lines of it, in order) is accepted;
    /// <paramref name="response"/> is then the <c>Sec-WebSocket-Extensions</c> response value.
    /// </summary>
    public static bool TryNegotiate(StringValues header, out string? response)
    {
        response = null;
        foreach (string? line in header)
        {
            var reader = new Reader(line);
            while (reader.TryReadOffer(out var offer))
            {
                if (response is null && offer.Accepted(out string? accepted))
                {
                    response = accepted;
                }
            }
            if (reader.Malformed)
            {
                // Offers after a syntax error cannot be delimited reliably; serving uncompressed is always correct.
                response = null;
                return false;
            }
        }
        return response is not null;
    }

    /// <summary>One offer as far as it matters: whether it is ours and what its parameters allow.</summary>
    private struct Offer
    {
        public bool IsDeflate;
        public bool Invalid;
        public bool ServerNoContextTakeover;
        public bool ClientNoContextTakeover;
        public bool ClientMaxWindowBits;
        public int ServerMaxWindowBits;   // 0 = not offered

        public readonly bool Accepted(out string? response)
        {
            response = null;
            if (!IsDeflate || Invalid || ServerMaxWindowBits is > 0 and < 15)
            {
                return false;
            }
            response = ServerMaxWindowBits == 15 ? BaseResponse + "; server_max_window_bits=15" : BaseResponse;
            return true;
        }

        public void Add(ReadOnlySpan<char> name, ReadOnlySpan<char> value, bool hasValue)
        {
            if (!IsDeflate)
            {
                return;
            }
            if (name.Equals("server_no_context_takeover", StringComparison.OrdinalIgnoreCase))
            {
                Invalid |= hasValue || ServerNoContextTakeover;
                ServerNoContextTakeover = true;
            }
            else if (name.Equals("client_no_context_takeover", StringComparison.OrdinalIgnoreCase))
            {
                Invalid |= hasValue || ClientNoContextTakeover;
                ClientNoContextTakeover = true;
            }
            else if (name.Equals("server_max_window_bits", StringComparison.OrdinalIgnoreCase))
            {
                bool repeated = ServerMaxWindowBits != 0;
                Invalid |= repeated || !hasValue || !TryWindowBits(value, out ServerMaxWindowBits);
                // Remember that it was offered even when invalid, so that a repetition is recognised.
                ServerMaxWindowBits = Math.Max(ServerMaxWindowBits, 1);
            }
            else if (name.Equals("client_max_window_bits", StringComparison.OrdinalIgnoreCase))
            {
                Invalid |= ClientMaxWindowBits || (hasValue && !TryWindowBits(value, out _));
                ClientMaxWindowBits = true;
            }
            else
            {
                Invalid = true;
            }
        }

        /// <summary>RFC 7692 section 7.1.2: 1*DIGIT without a leading zero, 8 to 15.</summary>
        private static bool TryWindowBits(ReadOnlySpan<char> value, out int bits)
        {
            bits = 0;
            if (value.IsEmpty || value[0] == '0' || value.Length > 2 || !int.TryParse(value, out int parsed) || parsed is < 8 or > 15)
            {
                return false;
            }
            bits = parsed;
            return true;
        }
    }

    /// <summary>
    /// A reader of <c>extension *( "," extension )</c> with <c>extension = token *( ";" token [ "=" ( token |
    /// quoted-string ) ] )</c>, optional whitespace around separators and empty list elements allowed (RFC 9110
    /// section 5.6.1).
    /// </summary>
    private ref struct Reader(ReadOnlySpan<char> text)
    {
        private ReadOnlySpan<char> _rest = text;

        public bool Malformed { get; private set; }

        public bool TryReadOffer(out Offer offer)
        {
            offer = default;
            while (true)
            {
                SkipWhitespace();
                if (_rest.IsEmpty)
                {
                    return false;
                }
                if (_rest[0] != ',')
                {
                    break;
                }
                _rest = _rest[1..];
            }

            if (!TryToken(out var name))
            {
                return Fail();
            }
            offer.IsDeflate = name.Equals(PerMessageDeflate.ExtensionName, StringComparison.OrdinalIgnoreCase);
            while (true)
            {
                SkipWhitespace();
                if (_rest.IsEmpty)
                {
                    return true;
                }
                if (_rest[0] == ',')
                {
                    _rest = _rest[1..];
                    return true;
                }
                if (_rest[0] != ';')
                {
                    return Fail();
                }
                _rest = _rest[1..];
                SkipWhitespace();
                if (!TryToken(out var parameter))
                {
                    return Fail();
                }
                SkipWhitespace();
                if (_rest.IsEmpty || _rest[0] != '=')
                {
                    offer.Add(parameter, default, hasValue: false);
                    continue;
                }
                _rest = _rest[1..];
                SkipWhitespace();
                string? unquoted = null;
                ReadOnlySpan<char> value;
                if (!_rest.IsEmpty && _rest[0] == '"')
                {
                    if (!TryQuoted(out unquoted))
                    {
                        return Fail();
                    }
                    value = unquoted;
                }
                else if (!TryToken(out value))
                {
                    return Fail();
                }
                offer.Add(parameter, value, hasValue: true);
            }
        }

        private bool Fail()
        {
            Malformed = true;
            _rest = default;
            return false;
        }

        private void SkipWhitespace() => _rest = _rest.TrimStart(" \t");

        private bool TryToken(out ReadOnlySpan<char> token)
        {
            int length = 0;
            while (length < _rest.Length && IsTokenChar(_rest[length]))
            {
                length++;
            }
            token = _rest[..length];
            _rest = _rest[length..];
            return length > 0;
        }

        /// <summary>A quoted-string with its backslash escapes resolved.</summary>
        private bool TryQuoted(out string? value)
        {
            value = null;
            var builder = new System.Text.StringBuilder();
            for (int i = 1; i < _rest.Length; i++)
            {
                char c = _rest[i];
                if (c == '"')
                {
                    value = builder.ToString();
                    _rest = _rest[(i + 1)..];
                    return true;
                }
                if (c == '\\')
                {
                    if (++i == _rest.Length)
                    {
                        return false;
                    }
                    c = _rest[i];
                }
                if (c is < ' ' and not '\t' or '\x7F')
                {
                    return false;
                }
                builder.Append(c);
            }
            return false;
        }

        // RFC 9110 section 5.6.2 tchar.
        private static bool IsTokenChar(char c) =>
            char.IsAsciiLetterOrDigit(c) || c is '!' or '#' or '$' or '%' or '&' or '\'' or '*' or '+' or '-' or '.' or '^' or '_' or '`' or '|' or '~';
    }
}
