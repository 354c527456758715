namespace SpinPet.ChainSimulator;

/// <summary>Faults in the content of HTTP JSON-RPC answers (as opposed to their delivery).</summary>
public sealed partial class SimulatorFaults
{
    private int _signaturePageCap;

    /// <summary>
    /// When above zero, <c>getSignaturesForAddress</c> lists at most this many entries whatever <c>limit</c> asked,
    /// although older ones exist: the short pages real nodes return mid-history (at the local-ledger/Bigtable
    /// boundary, for one). 0 turns it off.
    /// </summary>
    public int SignaturePageCap
    {
        get => Volatile.Read(ref _signaturePageCap);
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            Volatile.Write(ref _signaturePageCap, value);
        }
    }

    internal int ShortenSignaturePage(int limit)
    {
        int cap = SignaturePageCap;
        return cap > 0 && cap < limit ? cap : limit;
    }

    private void ResetAnswerFaults()
    {
        SignaturePageCap = 0;
    }
}
