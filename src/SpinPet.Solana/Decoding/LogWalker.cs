using System.Buffers;
using SpinPet.Core.Chain;

namespace SpinPet.Solana.Decoding;

/// <summary>
/// Walks one transaction's log lines with the stack of executing programs (events.md → "Which log lines are
/// events") and says which <c>Program data:</c> lines the configured program wrote. Span-based: no regex, and no
/// allocation per line once the stack has grown to the transaction's invoke depth. One walker per transaction
/// at a time (call <see cref="Reset"/> between transactions); not thread-safe.
/// </summary>
public sealed class LogWalker
{
    private const string ProgramPrefix = "Program ";
    private const string DataPrefix = "data: ";
    private const string InvokePrefix = "invoke [";
    private const string SuccessTail = "success";
    private const string FailedPrefix = "failed: ";
    private const string TruncatedLine = "Log truncated";

    // A 32-byte key is 32 to 44 base58 digits; each stack frame keeps its id in a fixed 44-char slot.
    private const int MinIdLength = 32;
    private const int MaxIdLength = 44;

    // The runtime allows an invoke depth of 5; 8 frames cover every real transaction without growing.
    private const int InitialFrames = 8;

    private static readonly SearchValues<char> s_base58 =
        SearchValues.Create("123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz");

    private readonly string _programId;
    private char[] _ids = new char[InitialFrames * MaxIdLength];
    private Frame[] _frames = new Frame[InitialFrames];
    private int _depth;

    public LogWalker(PublicKey programId)
        : this(programId.ToString())
    {
    }

    // For callers that already hold the canonical base58 text, so a walker per transaction encodes nothing.
    internal LogWalker(string programIdBase58)
    {
        _programId = programIdBase58;
    }

    /// <summary>The configured program id, base58, as the runtime writes it in log lines.</summary>
    public string ProgramId => _programId;

    /// <summary>Programs currently on the stack.</summary>
    public int Depth => _depth;

    /// <summary>True once the runtime's <c>Log truncated</c> line was seen; later lines are ignored.</summary>
    public bool Truncated { get; private set; }

    /// <summary>
    /// Lines that contradict the stack: an exit with an empty stack or an id other than the top, or an invoke
    /// whose depth is not the stack depth + 1. The runtime never writes these; counting them flags a damaged log.
    /// </summary>
    public int Anomalies { get; private set; }

    /// <summary>True while the configured program is the one executing (top of the stack).</summary>
    public bool InOurProgram => _depth > 0 && _frames[_depth - 1].Ours;

    public void Reset()
    {
        _depth = 0;
        Truncated = false;
        Anomalies = 0;
    }

    /// <summary>Classifies one line and updates the stack.</summary>
    /// <param name="data">For <see cref="LogLineKind.OurData"/> the text after <c>Program data: </c>, else empty.
    /// </param>
    public LogLineKind Next(ReadOnlySpan<char> line, out ReadOnlySpan<char> data)
    {
        data = default;
        if (Truncated)
        {
            return LogLineKind.AfterTruncation;
        }
        if (!line.StartsWith(ProgramPrefix, StringComparison.Ordinal))
        {
            if (line.SequenceEqual(TruncatedLine))
            {
                Truncated = true;
                return LogLineKind.Truncated;
            }
            return LogLineKind.Other;
        }

        var rest = line[ProgramPrefix.Length..];
        // "data:" cannot be a program id (':' is not base58), so this test never shadows an invoke/exit line.
        if (rest.StartsWith(DataPrefix, StringComparison.Ordinal))
        {
            if (InOurProgram)
            {
                data = rest[DataPrefix.Length..];
                return LogLineKind.OurData;
            }
            return LogLineKind.ForeignData;
        }

        // "Program <id> <tail>": anything whose first word is not a 32–44 digit base58 id ("Program log: …",
        // "Program return: …") is an ordinary line, whatever words follow it.
        int space = rest.IndexOf(' ');
        if (space is < MinIdLength or > MaxIdLength)
        {
            return LogLineKind.Other;
        }
        var id = rest[..space];
        if (id.ContainsAnyExcept(s_base58))
        {
            return LogLineKind.Other;
        }

        var tail = rest[(space + 1)..];
        if (tail.SequenceEqual(SuccessTail))
        {
            Pop(id);
            return LogLineKind.Success;
        }
        if (tail.StartsWith(FailedPrefix, StringComparison.Ordinal))
        {
            Pop(id);
            return LogLineKind.Failed;
        }
        if (tail.Length > InvokePrefix.Length + 1
            && tail.StartsWith(InvokePrefix, StringComparison.Ordinal)
            && tail[^1] == ']')
        {
            if (TryParseDepth(tail[InvokePrefix.Length..^1], out int invokeDepth))
            {
                Push(id, invokeDepth);
                return LogLineKind.Invoke;
            }
        }
        // "Program <id> consumed … compute units" and anything else malformed.
        return LogLineKind.Other;
    }

    private void Push(ReadOnlySpan<char> id, int invokeDepth)
    {
        if (invokeDepth != _depth + 1)
        {
            // Still pushed: the line says this program now runs, and its exit line will pop it again.
            Anomalies++;
        }
        if (_depth == _frames.Length)
        {
            // Only a damaged or synthetic log gets here (the runtime caps depth at 5); grow rather than drop
            // frames, which would misattribute every later data line.
            Array.Resize(ref _frames, _frames.Length * 2);
            Array.Resize(ref _ids, _frames.Length * MaxIdLength);
        }
        id.CopyTo(_ids.AsSpan(_depth * MaxIdLength));
        _frames[_depth] = new Frame((byte)id.Length, id.SequenceEqual(_programId));
        _depth++;
    }

    // RULE: an exit line pops only when its id is the program on top of the stack. An exit on an empty stack or
    // naming another program is counted as an anomaly and changes nothing. The runtime always closes the frame it
    // opened last and programs cannot forge these lines (their own text is prefixed "Program log:"/"Program
    // data:"), so a mismatch means a damaged log; leaving the stack alone keeps data lines attributed to the
    // program the log last said was running rather than guessing which frames were lost.
    private void Pop(ReadOnlySpan<char> id)
    {
        if (_depth == 0)
        {
            Anomalies++;
            return;
        }
        var top = _frames[_depth - 1];
        if (!_ids.AsSpan((_depth - 1) * MaxIdLength, top.IdLength).SequenceEqual(id))
        {
            Anomalies++;
            return;
        }
        _depth--;
    }

    // "\d+" of the invoke line, ASCII digits only. Any length is valid syntax, so a huge n saturates instead of
    // overflowing (it is an anomaly anyway). A plain loop: ContainsAnyExceptInRange allocates on this runtime.
    private static bool TryParseDepth(ReadOnlySpan<char> digits, out int depth)
    {
        depth = 0;
        foreach (char c in digits)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
            depth = depth > (int.MaxValue - 9) / 10 ? int.MaxValue : (depth * 10) + (c - '0');
        }
        return !digits.IsEmpty;
    }

    private readonly record struct Frame(byte IdLength, bool Ours);
}
