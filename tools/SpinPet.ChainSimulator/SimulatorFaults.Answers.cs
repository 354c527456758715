using System.Globalization;

namespace SpinPet.ChainSimulator;

/// <summary>Faults in the content of HTTP JSON-RPC answers (as opposed to their delivery).</summary>
public sealed partial class SimulatorFaults
{
    private int _signaturePageCap;
    private double _httpGarbageRate;
    private long _garbageTurn;
    private int _retryAfterAsDate;
    private int _ignoreSignaturesBefore;

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

    /// <summary>
    /// Share of HTTP JSON-RPC requests answered 200 OK with garbage instead of the result, taking turns through
    /// the kinds of <see cref="HttpGarbage"/>: what a misconfigured proxy, a buggy node or a hostile one sends.
    /// </summary>
    public double HttpGarbageRate
    {
        get => Volatile.Read(ref _httpGarbageRate);
        set
        {
            if (double.IsNaN(value) || value < 0 || value > 1)
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "A rate is between 0 and 1.");
            }
            Volatile.Write(ref _httpGarbageRate, value);
        }
    }

    /// <summary>The garbage to answer this request with, or null to answer it properly.</summary>
    internal HttpGarbage? NextHttpGarbage()
    {
        double rate = HttpGarbageRate;
        if (rate <= 0 || (rate < 1 && Random.Shared.NextDouble() >= rate))
        {
            return null;
        }
        return (HttpGarbage)((Interlocked.Increment(ref _garbageTurn) - 1) % 3);
    }

    /// <summary>
    /// Sends <c>Retry-After</c> as an HTTP-date (now + <see cref="RetryAfterSeconds"/>, whole seconds) instead of
    /// delta-seconds; both forms are allowed by RFC 9110.
    /// </summary>
    public bool RetryAfterAsDate
    {
        get => Volatile.Read(ref _retryAfterAsDate) != 0;
        set => Volatile.Write(ref _retryAfterAsDate, value ? 1 : 0);
    }

    internal string RetryAfterHeader() => RetryAfterAsDate
        ? DateTimeOffset.UtcNow.AddSeconds(RetryAfterSeconds).ToString("R", CultureInfo.InvariantCulture)
        : RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);

    /// <summary><c>getSignaturesForAddress</c> ignores <c>before</c>, answering the newest page again and again.</summary>
    public bool IgnoreSignaturesBefore
    {
        get => Volatile.Read(ref _ignoreSignaturesBefore) != 0;
        set => Volatile.Write(ref _ignoreSignaturesBefore, value ? 1 : 0);
    }

    internal int ShortenSignaturePage(int limit)
    {
        int cap = SignaturePageCap;
        return cap > 0 && cap < limit ? cap : limit;
    }

    /// <summary>
    /// Size of an <see cref="HttpGarbage.Oversize"/> answer: 8 MiB, twice the server's cap on one answer
    /// (SolanaRpcClient.MaxResponseBytes).
    /// </summary>
    public const int OversizeAnswerBytes = 8 << 20;

    private void ResetAnswerFaults()
    {
        SignaturePageCap = 0;
        HttpGarbageRate = 0;
        RetryAfterAsDate = false;
        IgnoreSignaturesBefore = false;
    }
}

/// <summary>The kinds of garbage <see cref="SimulatorFaults.HttpGarbageRate"/> answers with, in turn.</summary>
public enum HttpGarbage
{
    /// <summary>An HTML error page with status 200, as a proxy in front of the node sends.</summary>
    NotJson,

    /// <summary>
    /// A JSON-RPC envelope whose result has the wrong JSON types: <c>logMessages</c> a string for
    /// getTransaction, entries with a numeric signature for getSignaturesForAddress, a string elsewhere.
    /// </summary>
    WrongTypes,

    /// <summary>A valid-looking answer of <see cref="SimulatorFaults.OversizeAnswerBytes"/>, sent chunked.</summary>
    Oversize,
}
