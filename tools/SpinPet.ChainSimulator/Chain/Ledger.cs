namespace SpinPet.ChainSimulator.Chain;

/// <summary>
/// The produced chain: blocks, the program's transactions in chain order and a signature index. One writer (block
/// production) and many readers (RPC requests) share it under a short lock; readers copy what they need out, so
/// no lock is held while a response is written.
/// </summary>
internal sealed class Ledger
{
    private readonly Lock _lock = new();
    private readonly List<SimulatedBlock> _blocks = [];
    private readonly List<LedgerTransaction> _transactions = [];
    private readonly Dictionary<string, int> _positionBySignature = new(StringComparer.Ordinal);
    private readonly Dictionary<ulong, long> _blockTimeBySlot = [];
    private ulong _tip;

    public Ledger(ulong genesisSlot)
    {
        GenesisSlot = genesisSlot;
        _tip = genesisSlot - 1;
    }

    public ulong GenesisSlot { get; }

    /// <summary>The newest slot with a block (the slot before genesis while the chain is empty).</summary>
    public ulong Tip
    {
        get
        {
            lock (_lock)
            {
                return _tip;
            }
        }
    }

    public void Append(SimulatedBlock block, IReadOnlyList<LedgerTransaction> transactions)
    {
        lock (_lock)
        {
            _blocks.Add(block);
            _blockTimeBySlot.Add(block.Slot, block.BlockTime);
            foreach (var transaction in transactions)
            {
                _positionBySignature.Add(transaction.Signature, _transactions.Count);
                _transactions.Add(transaction);
            }
            _tip = block.Slot;
        }
    }

    public SimulatedBlock[] Blocks()
    {
        lock (_lock)
        {
            return [.. _blocks];
        }
    }

    public BlockTimeLookup FindBlockTime(ulong slot, out long blockTime)
    {
        lock (_lock)
        {
            if (_blockTimeBySlot.TryGetValue(slot, out blockTime))
            {
                return BlockTimeLookup.Found;
            }
            return slot > _tip ? BlockTimeLookup.NotYetProduced : slot < GenesisSlot ? BlockTimeLookup.BeforeGenesis : BlockTimeLookup.Skipped;
        }
    }

    public LedgerTransaction? Find(string signature)
    {
        lock (_lock)
        {
            return _positionBySignature.TryGetValue(signature, out int position) ? _transactions[position] : null;
        }
    }

    /// <summary>
    /// Up to <paramref name="limit"/> transactions no newer than <paramref name="maxSlot"/>, newest first, strictly
    /// older than <paramref name="before"/> and strictly newer than <paramref name="until"/>. An unknown
    /// <c>before</c> gives nothing and an unknown <c>until</c> is ignored, as on a node.
    /// </summary>
    public List<LedgerTransaction> PageNewestFirst(string? before, string? until, int limit, ulong maxSlot)
    {
        var page = new List<LedgerTransaction>(Math.Min(limit, 256));
        lock (_lock)
        {
            int start = _transactions.Count - 1;
            while (start >= 0 && _transactions[start].Slot > maxSlot)
            {
                start--;
            }
            if (before is not null)
            {
                if (!_positionBySignature.TryGetValue(before, out int beforePosition))
                {
                    return page;
                }
                start = Math.Min(start, beforePosition - 1);
            }
            int stop = until is not null && _positionBySignature.TryGetValue(until, out int untilPosition) ? untilPosition : -1;
            for (int i = start; i > stop && page.Count < limit; i--)
            {
                page.Add(_transactions[i]);
            }
        }
        return page;
    }
}
