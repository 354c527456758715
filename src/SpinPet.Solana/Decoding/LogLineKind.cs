namespace SpinPet.Solana.Decoding;

/// <summary>What <see cref="LogWalker.Next"/> saw in one log line.</summary>
public enum LogLineKind : byte
{
    /// <summary>A line that neither changes the stack nor carries data (<c>Program log:</c>, consumed…).</summary>
    Other = 0,

    /// <summary><c>Program &lt;id&gt; invoke [n]</c>: pushed.</summary>
    Invoke = 1,

    /// <summary><c>Program &lt;id&gt; success</c>: popped when the id is on top.</summary>
    Success = 2,

    /// <summary><c>Program &lt;id&gt; failed: …</c>: popped when the id is on top.</summary>
    Failed = 3,

    /// <summary><c>Program data:</c> written while the configured program is on top of the stack.</summary>
    OurData = 4,

    /// <summary><c>Program data:</c> written by another program (or outside any program): not ours.</summary>
    ForeignData = 5,

    /// <summary>The runtime's <c>Log truncated</c> line: the walk stops here.</summary>
    Truncated = 6,

    /// <summary>Any line after <c>Log truncated</c>: ignored.</summary>
    AfterTruncation = 7,
}
