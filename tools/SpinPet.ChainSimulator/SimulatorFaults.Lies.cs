namespace SpinPet.ChainSimulator;

/// <summary>
/// Answers that are well-formed JSON-RPC but wrong or incomplete: what a buggy, misconfigured or hostile node sends
/// (as opposed to garbage, which a client refuses at the parser).
/// </summary>
public sealed partial class SimulatorFaults
{
    private long _blockTimeOverride;
    private int _blockTimeOverridden;
    private double _incompleteTransactionRate;
    private long _incompleteTurn;
    private readonly Lock _listingLock = new();
    private int _listingPagesBeforeOutage = -1;
    private int _ignoreSignatureLimit;
    private int _listingOutageAnswers;

    /// <summary>
    /// When set, every block time the HTTP side answers (<c>getBlockTime</c>, <c>getTransaction</c>'s and
    /// <c>getSignaturesForAddress</c>'s <c>blockTime</c>) is this value instead of the block's: a node with a broken
    /// clock, or one that lies. The ledger keeps the true times. Null turns it off.
    /// </summary>
    public long? BlockTimeOverride
    {
        get => Volatile.Read(ref _blockTimeOverridden) != 0 ? Volatile.Read(ref _blockTimeOverride) : null;
        set
        {
            Volatile.Write(ref _blockTimeOverride, value ?? 0);
            Volatile.Write(ref _blockTimeOverridden, value is null ? 0 : 1);
        }
    }

    /// <summary>
    /// Share of <c>getTransaction</c> answers (for a transaction the ledger has) with a part missing or wrong, taking
    /// turns through the kinds of <see cref="IncompleteTransaction"/>.
    /// </summary>
    public double IncompleteTransactionRate
    {
        get => Volatile.Read(ref _incompleteTransactionRate);
        set
        {
            if (double.IsNaN(value) || value < 0 || value > 1)
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "A rate is between 0 and 1.");
            }
            Volatile.Write(ref _incompleteTransactionRate, value);
        }
    }

    /// <summary>
    /// A listing outage in the middle of a history: after <paramref name="pagesFirst"/> more <c>getSignaturesForAddress</c>
    /// answers, the next <paramref name="failedAnswers"/> requests for it are answered HTTP 503; every other method is
    /// served. A client that gives up after so many attempts fails there, part-way down the program's history.
    /// </summary>
    public void FailSignatureListingAfter(int pagesFirst, int failedAnswers)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(pagesFirst);
        ArgumentOutOfRangeException.ThrowIfNegative(failedAnswers);
        lock (_listingLock)
        {
            _listingPagesBeforeOutage = pagesFirst;
            _listingOutageAnswers = failedAnswers;
        }
    }

    /// <summary>
    /// Share of live logs notifications sent with <c>"logs": null</c> instead of the transaction's log lines (the
    /// transaction itself is whole in the ledger, so <c>getTransaction</c> serves it).
    /// </summary>
    public double LogsNotificationsWithoutLogsRate
    {
        get => _hub.WithoutLogsRate;
        set
        {
            if (double.IsNaN(value) || value < 0 || value > 1)
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "A rate is between 0 and 1.");
            }
            _hub.WithoutLogsRate = value;
        }
    }

    /// <summary>
    /// Share of live logs notifications sent with 80,000 characters of <c>Program log:</c> lines added to the
    /// transaction's logs, more than the runtime lets a transaction log (10,000 bytes). Counted with
    /// <see cref="SimulatorStats.NotificationsWithoutLogs"/>.
    /// </summary>
    public double PaddedLogsNotificationsRate
    {
        get => _hub.PaddedLogsRate;
        set
        {
            if (double.IsNaN(value) || value < 0 || value > 1)
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "A rate is between 0 and 1.");
            }
            _hub.PaddedLogsRate = value;
        }
    }

    /// <summary><c>getSignaturesForAddress</c> answers up to 1,000 entries whatever smaller <c>limit</c> was asked for.</summary>
    public bool IgnoreSignatureLimit
    {
        get => Volatile.Read(ref _ignoreSignatureLimit) != 0;
        set => Volatile.Write(ref _ignoreSignatureLimit, value ? 1 : 0);
    }

    /// <summary>The block time to answer for a block whose time is <paramref name="blockTime"/>.</summary>
    internal long AnsweredBlockTime(long blockTime) => BlockTimeOverride ?? blockTime;

    /// <summary>What to leave out of or change in this getTransaction answer, or null to answer it whole.</summary>
    internal IncompleteTransaction? NextIncompleteTransaction()
    {
        double rate = IncompleteTransactionRate;
        if (rate <= 0 || (rate < 1 && Random.Shared.NextDouble() >= rate))
        {
            return null;
        }
        return (IncompleteTransaction)((Interlocked.Increment(ref _incompleteTurn) - 1) % 6);
    }

    /// <summary>True when this getSignaturesForAddress request falls into the outage of <see cref="FailSignatureListingAfter"/>.</summary>
    internal bool ShouldFailSignatureListing()
    {
        lock (_listingLock)
        {
            if (_listingPagesBeforeOutage < 0)
            {
                return false;
            }
            if (_listingPagesBeforeOutage > 0)
            {
                _listingPagesBeforeOutage--;
                return false;
            }
            if (_listingOutageAnswers > 0)
            {
                _listingOutageAnswers--;
                return true;
            }
            _listingPagesBeforeOutage = -1;
            return false;
        }
    }

    private void ResetLies()
    {
        BlockTimeOverride = null;
        IncompleteTransactionRate = 0;
        LogsNotificationsWithoutLogsRate = 0;
        PaddedLogsNotificationsRate = 0;
        IgnoreSignatureLimit = false;
        lock (_listingLock)
        {
            _listingPagesBeforeOutage = -1;
            _listingOutageAnswers = 0;
        }
    }
}

/// <summary>The kinds of answer <see cref="SimulatorFaults.IncompleteTransactionRate"/> sends, in turn.</summary>
public enum IncompleteTransaction
{
    /// <summary><c>meta.logMessages</c> null, as a node that does not keep logs answers.</summary>
    NoLogMessages,

    /// <summary><c>meta</c> null (status unknown).</summary>
    NoMeta,

    /// <summary>No <c>transaction</c> object.</summary>
    NoTransaction,

    /// <summary><c>slot</c> one higher than the transaction's.</summary>
    WrongSlot,

    /// <summary>The answer for another transaction of the ledger (a proxy that mixed up two answers).</summary>
    OtherTransaction,

    /// <summary>
    /// The log padded with 80,000 characters of <c>Program log:</c> lines, more than the runtime lets a transaction log
    /// (10,000 bytes): a node making an indexer hold megabytes per transaction.
    /// </summary>
    PaddedLogs,
}
