using SpinPet.Core.Ingest;

namespace SpinPet.Solana.Decoding;

/// <summary>
/// The events one transaction's logs carry. Indexes count every <c>Program data:</c> line of the program,
/// decodable or not, so <c>Events</c> and <c>RejectedPayloads</c> together hold each index once.
/// </summary>
public sealed class TransactionDecodeResult
{
    internal TransactionDecodeResult()
    {
    }

    public List<DecodedEvent> Events { get; } = [];

    /// <summary>Payloads kept for replay: the <see cref="Rejected"/> ones plus unknown discriminators.</summary>
    public List<RejectedPayload> RejectedPayloads { get; } = [];

    /// <summary>The log was cut (by the runtime's <c>Log truncated</c>); the events before the cut are kept.</summary>
    public bool Truncated { get; internal set; }

    /// <summary><c>Program data:</c> lines of the program, i.e. the next index that would have been assigned.</summary>
    public int DataLines { get; internal set; }

    /// <summary>Payloads whose discriminator is none of the seven: skipped, but kept in RejectedPayloads.</summary>
    public int UnknownDiscriminators { get; internal set; }

    /// <summary>Events accepted with bytes after a complete body (a newer program layout).</summary>
    public int TrailingBytes { get; internal set; }

    /// <summary>Payloads rejected as invalid: bad base64, short body, bad bool or bad UTF-8.</summary>
    public int Rejected { get; internal set; }

    /// <summary>Exit or invoke lines that contradicted the stack (see <see cref="LogWalker.Anomalies"/>).</summary>
    public int StackAnomalies { get; internal set; }
}
