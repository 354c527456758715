using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using SpinPet.Core.Ingest;

namespace SpinPet.Solana.Decoding;

/// <summary>
/// Decodes one transaction's log lines as they arrive: <see cref="Add"/> each line in order, then
/// <see cref="Complete"/>. The lines need not outlive the call, so a caller can reuse one char buffer.
/// </summary>
public sealed class TransactionDecodeSession
{
    // Convert.TryFromBase64Chars skips exactly these four; we refuse them instead (see TryDecodeBase64).
    private static readonly SearchValues<char> s_whitespace = SearchValues.Create(" \t\r\n");

    private readonly TransactionDecoder _owner;
    private readonly LogWalker _walker;
    private readonly TransactionDecodeResult _result = new();
    private bool _indexesExhausted;
    private bool _completed;

    internal TransactionDecodeSession(TransactionDecoder owner, LogWalker walker)
    {
        _owner = owner;
        _walker = walker;
    }

    /// <summary>Feeds the next log line; false once the log is truncated and later lines are pointless.</summary>
    public bool Add(ReadOnlySpan<char> line)
    {
        if (_completed)
        {
            throw new InvalidOperationException("The session is complete; start another one for the next transaction.");
        }
        if (_indexesExhausted)
        {
            return false;
        }
        var kind = _walker.Next(line, out var base64);
        if (kind == LogLineKind.OurData)
        {
            AddData(line, base64);
        }
        return kind is not (LogLineKind.Truncated or LogLineKind.AfterTruncation) && !_indexesExhausted;
    }

    /// <summary>Ends the session and returns its result; later calls return the same result.</summary>
    public TransactionDecodeResult Complete()
    {
        if (!_completed)
        {
            _completed = true;
            _result.Truncated = _walker.Truncated || _indexesExhausted;
            _result.StackAnomalies = _walker.Anomalies;
            // Only once, and never touched again here: the walker may serve the next session right away.
            _owner.ReturnWalker(_walker);
        }
        return _result;
    }

    private void AddData(ReadOnlySpan<char> line, ReadOnlySpan<char> base64)
    {
        // INDEX RULE: an event's index is the position of its line among this program's "Program data:" lines,
        // counting the ones that fail to decode, so a decoder fix that later accepts a rejected payload gives it
        // the index it always had and no stored event's identity moves.
        int next = _result.DataLines;
        if (next > ushort.MaxValue)
        {
            // The runtime's 10 kB log limit allows a few hundred data lines, never 65,536: a log this long is
            // synthetic. Stop as if truncated rather than reuse or invent indexes.
            _indexesExhausted = true;
            return;
        }
        var index = (ushort)next;
        _result.DataLines = next + 1;

        if (!TryDecodeBase64(base64, out byte[]? payload))
        {
            _result.Rejected++;
            // Nothing decoded to keep, so keep the line itself: enough to see what went wrong and to replay it.
            var raw = new byte[Encoding.UTF8.GetByteCount(line)];
            Encoding.UTF8.GetBytes(line, raw);
            _result.RejectedPayloads.Add(new RejectedPayload(index, RejectionReasons.InvalidBase64, raw));
            return;
        }

        var status = EventDecoder.Decode(payload, out var ev, out int failedAt);
        switch (status)
        {
            case DecodeStatus.Ok:
                _result.Events.Add(new DecodedEvent(index, payload, ev!));
                break;
            case DecodeStatus.OkWithTrailingBytes:
                _result.TrailingBytes++;
                _result.Events.Add(new DecodedEvent(index, payload, ev!));
                break;
            case DecodeStatus.UnknownDiscriminator:
                // events.md says "skip and count": it is not an event. It is still kept beside the rejects, with
                // its index, because an unknown discriminator is most likely an event a newer program version
                // added; once the decoder learns it, the stored payload can be replayed without refetching.
                _result.UnknownDiscriminators++;
                _result.RejectedPayloads.Add(
                    new RejectedPayload(index, RejectionReasons.Describe(payload, status, failedAt), payload));
                break;
            default:
                _result.Rejected++;
                _result.RejectedPayloads.Add(
                    new RejectedPayload(index, RejectionReasons.Describe(payload, status, failedAt), payload));
                break;
        }
    }

    // Strict standard base64 with padding, as the runtime writes it: no whitespace (Convert would skip it and
    // glue the slices of a multi-slice sol_log_data line into one payload) and a length that is a multiple of 4.
    private static bool TryDecodeBase64(ReadOnlySpan<char> text, [NotNullWhen(true)] out byte[]? payload)
    {
        payload = null;
        if (text.Length % 4 != 0 || text.ContainsAny(s_whitespace))
        {
            return false;
        }
        int padding = text.IsEmpty ? 0 : (text[^1] == '=' ? 1 : 0) + (text[^2] == '=' ? 1 : 0);
        var bytes = new byte[(text.Length / 4 * 3) - padding];
        if (!Convert.TryFromBase64Chars(text, bytes, out int written) || written != bytes.Length)
        {
            return false;
        }
        payload = bytes;
        return true;
    }
}
