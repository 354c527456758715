using SpinPet.Core.Chain;

namespace SpinPet.Solana.Decoding;

/// <summary>
/// Decodes the events of the configured program from one successful transaction's log lines. Immutable and
/// thread-safe: each decode gets its own <see cref="TransactionDecodeSession"/>. Skipping reverted
/// transactions (err != null) is the caller's job; this type only reads logs.
/// </summary>
public sealed class TransactionDecoder
{
    private readonly string _programId;

    // One spare walker: ingest decodes transactions one after another, so handing the last walker to the next
    // session saves its ~800 bytes of stack buffers per transaction. Concurrent decodes find the slot empty and
    // allocate their own; a walker returned while the slot is full is simply dropped.
    private LogWalker? _spareWalker;

    public TransactionDecoder(PublicKey programId)
    {
        ProgramId = programId;
        // Encoded once here, so per-transaction walkers compare log spans against it without encoding again.
        _programId = programId.ToString();
    }

    public PublicKey ProgramId { get; }

    /// <summary>Decodes log lines as parsed from JSON (<c>meta.logMessages</c> or a logsNotification).</summary>
    public TransactionDecodeResult Decode(IReadOnlyList<string> logLines)
    {
        ArgumentNullException.ThrowIfNull(logLines);
        var session = Begin();
        for (int i = 0; i < logLines.Count; i++)
        {
            if (!session.Add(logLines[i]))
            {
                break;
            }
        }
        return session.Complete();
    }

    /// <summary>Starts a line-by-line decode, for callers that read lines into a reused buffer (no strings).</summary>
    public TransactionDecodeSession Begin()
    {
        var walker = Interlocked.Exchange(ref _spareWalker, null) ?? new LogWalker(_programId);
        walker.Reset();
        return new TransactionDecodeSession(this, walker);
    }

    internal void ReturnWalker(LogWalker walker) => Volatile.Write(ref _spareWalker, walker);
}
