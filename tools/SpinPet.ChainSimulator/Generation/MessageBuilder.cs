using SpinPet.ChainSimulator.Chain;

namespace SpinPet.ChainSimulator.Generation;

/// <summary>
/// Collects a transaction's instructions and compiles them like a Solana message: account keys ordered signer
/// first, then writable accounts, then read-only ones (the programs), and instructions that index into them.
/// </summary>
internal sealed class MessageBuilder(string feePayer)
{
    private readonly List<string> _writable = [];
    private readonly List<string> _readOnly = [];
    private readonly List<(string Program, string[] Accounts, byte[] Data)> _instructions = [];

    public void AddWritable(string key)
    {
        if (key != feePayer && !_writable.Contains(key))
        {
            _writable.Add(key);
        }
    }

    /// <summary>Adds a top-level instruction and returns its index in the message.</summary>
    public int AddInstruction(string program, string[] accounts, byte[] data)
    {
        if (!_readOnly.Contains(program))
        {
            _readOnly.Add(program);
        }
        _instructions.Add((program, accounts, data));
        return _instructions.Count - 1;
    }

    public TransactionMessage Build(string recentBlockhash)
    {
        var keys = new List<string>(1 + _writable.Count + _readOnly.Count) { feePayer };
        keys.AddRange(_writable);
        // A program also passed as an account (the router's CPI target) is listed once, read-only.
        keys.AddRange(_readOnly.Where(program => !keys.Contains(program)));
        foreach (var (_, accounts, _) in _instructions)
        {
            foreach (string account in accounts)
            {
                if (!keys.Contains(account))
                {
                    keys.Add(account);
                }
            }
        }
        var instructions = _instructions
            .Select(ix => new CompiledInstruction(keys.IndexOf(ix.Program), [.. ix.Accounts.Select(account => keys.IndexOf(account))], ix.Data))
            .ToArray();
        return new TransactionMessage([.. keys], keys.Count - 1 - _writable.Count, instructions, recentBlockhash);
    }
}
