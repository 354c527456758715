using System.Globalization;

namespace SpinPet.Solana.Decoding;

/// <summary>
/// Human-readable reasons stored beside rejected payloads, so an operator can tell a short body from a bad
/// string without re-running the decoder. Only built on the rare rejection path.
/// </summary>
internal static class RejectionReasons
{
    public const string InvalidBase64 =
        "invalid base64: the payload holds the log line's raw text as UTF-8, not decoded bytes";

    public static string Describe(ReadOnlySpan<byte> payload, DecodeStatus status, int failedAt)
    {
        var inv = CultureInfo.InvariantCulture;
        if (!EventDiscriminators.TryRead(payload, out ulong discriminator))
        {
            return string.Create(
                inv, $"too short: {payload.Length} bytes, an event starts with an 8-byte discriminator");
        }
        if (!EventDiscriminators.TryGetKind(discriminator, out var kind))
        {
            return "unknown discriminator " + EventDiscriminators.ToHex(discriminator);
        }
        string name = EventDiscriminators.NameOf(kind);
        int bodyLength = payload.Length - EventDiscriminators.Length;
        int minimum = EventLayouts.MinBodySize(kind);
        return status switch
        {
            DecodeStatus.TooShort when EventLayouts.HasFixedSize(kind) =>
                string.Create(inv, $"too short: {name} needs {minimum} bytes, got {bodyLength}"),
            DecodeStatus.TooShort when bodyLength < minimum =>
                string.Create(inv, $"too short: {name} needs at least {minimum} bytes, got {bodyLength}"),
            DecodeStatus.TooShort => string.Create(
                inv, $"too short: {name} body of {bodyLength} bytes ends inside the string at offset {failedAt}"),
            DecodeStatus.InvalidBool => string.Create(
                inv,
                $"invalid bool: {name} has byte {payload[EventDiscriminators.Length + failedAt]} at body offset {failedAt}"),
            DecodeStatus.InvalidUtf8 =>
                string.Create(inv, $"invalid UTF-8: {name} string at body offset {failedAt}"),
            _ => string.Create(inv, $"{status}: {name}"),
        };
    }
}
