using System.Text;
using System.Text.RegularExpressions;

namespace SpinPet.EndToEnd.Tests.Wire;

/// <summary>
/// The bytes a scripted session received, one request and its answer per entry, with the few values that differ
/// from run to run (push and answer times, the client id, the clock routes) replaced by fixed text. Everything else
/// is kept byte for byte, so a change of field order, number formatting, escaping or wording shows as a difference.
/// </summary>
/// <remarks>
/// The position fields of protocol.md's last section (<c>seq</c>, <c>epoch</c>, <c>recovered</c>) are taken out:
/// they are new in the release this transcript guards, and their placement is pinned by the tests of that section.
/// </remarks>
internal sealed partial class WireTranscript
{
    private readonly StringBuilder _text = new();

    public void Request(string what) => _text.Append("> ").Append(what).Append('\n');

    public void Answer(string body) => _text.Append("< ").Append(Normalize(body)).Append('\n');

    public void Answer(int status, string body) => _text.Append("< ").Append(status).Append(' ').Append(Normalize(body)).Append('\n');

    public void Note(string what) => _text.Append("# ").Append(what).Append('\n');

    public override string ToString() => _text.ToString();

    internal static string Normalize(string body)
    {
        body = VolatileNumber().Replace(body, match => $"\"{match.Groups["key"].Value}\":0");
        body = VolatileValue().Replace(body, match => $"\"{match.Groups["key"].Value}\":\"*\"");
        body = Position().Replace(body, "");
        // Connection ids in lists (the admin route's room subscribers).
        body = ConnectionId().Replace(body, "\"*\"");
        return body;
    }

    // Numbers or strings that change with the wall clock or per connection: the envelope's and pushes' `timestamp`
    // (unix ms, a number; an event's `timestamp` is its block time as a string and stays), connection_success's
    // `server_time` and `client_id` (`socket_id` on the admin route, with its idle seconds), /api/time's fields, and
    // the ingest's own clock readings in the status routes. A connection's `queued_frames` / `queued_bytes` depend on
    // whether its last send has completed when the route reads them (the greeting was read by the client a moment
    // before its send's completion was counted).
    [GeneratedRegex("""
        "(?<key>timestamp|server_time|last_activity_seconds_ago|connection_duration_seconds|queued_frames|queued_bytes)":\d+
        """, RegexOptions.IgnorePatternWhitespace)]
    private static partial Regex VolatileNumber();

    [GeneratedRegex("""
        "(?<key>client_id|socket_id|utc|iso8601|local)":(?:-?\d+|"[^"]*")
        """, RegexOptions.IgnorePatternWhitespace)]
    private static partial Regex VolatileValue();

    [GeneratedRegex("\"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\"")]
    private static partial Regex ConnectionId();

    [GeneratedRegex("""
        ,"(?:seq|epoch|recovered)":(?:\d+|"[^"]*"|true|false|null)
        """, RegexOptions.IgnorePatternWhitespace)]
    private static partial Regex Position();
}
