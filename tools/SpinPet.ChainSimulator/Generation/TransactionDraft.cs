using System.Globalization;
using SpinPet.ChainSimulator.Borsh;
using SpinPet.Core.Events;

namespace SpinPet.ChainSimulator.Generation;

/// <summary>
/// One transaction while it is being composed: its log lines in the runtime's formats, the program's own
/// <c>Program data:</c> lines, events and malformed ones (with their line numbers, for truncation), the message and
/// the compute budget.
/// </summary>
internal sealed class TransactionDraft
{
    public TransactionDraft(TransactionPlan plan)
    {
        Payer = plan.FeePayer.ToString();
        Accounts = [.. plan.Accounts.Select(static key => key.ToString())];
        Message = new MessageBuilder(Payer);
        foreach (string account in Accounts)
        {
            Message.AddWritable(account);
        }
    }

    public string Payer { get; }

    public string[] Accounts { get; }

    public MessageBuilder Message { get; }

    public List<string> Log { get; } = new(32);

    public List<OwnDataLine> OwnLines { get; } = [];

    public ulong Fee { get; set; }

    /// <summary>Compute units still available to the next top-level instruction.</summary>
    public long RemainingUnits { get; set; }

    public long ConsumedUnits { get; private set; }

    public void Line(string text) => Log.Add(text);

    public void Invoke(string program, int depth) =>
        Log.Add(string.Create(CultureInfo.InvariantCulture, $"Program {program} invoke [{depth}]"));

    public void Exit(string program, string outcome = "success") => Log.Add($"Program {program} {outcome}");

    /// <summary>A builtin program (system, compute budget): it logs no compute units.</summary>
    public void Builtin(string program, int depth)
    {
        Invoke(program, depth);
        Exit(program);
    }

    public void Consumed(string program, long used, long of) =>
        Log.Add(string.Create(CultureInfo.InvariantCulture, $"Program {program} consumed {used} of {Math.Max(of, used)} compute units"));

    /// <summary>Charges a top-level instruction's units to the transaction.</summary>
    public void Charge(long units)
    {
        RemainingUnits -= units;
        ConsumedUnits += units;
    }

    /// <summary>
    /// An event of the program itself (the program must be on top of the invoke stack), with
    /// <paramref name="trailing"/> bytes after its body when given.
    /// </summary>
    public void OwnData(SpinPetEvent spinPetEvent, byte[]? trailing = null)
    {
        byte[] payload = EventEncoder.Encode(spinPetEvent);
        if (trailing is not null)
        {
            payload = [.. payload, .. trailing];
        }
        OwnLines.Add(new OwnDataLine(Log.Count, spinPetEvent, payload, Malformed: null, trailing?.Length ?? 0));
        Data(payload);
    }

    /// <summary>A data line of the program itself that is not an event (it still takes an event index).</summary>
    public void OwnMalformed(MalformedDataKind kind, byte[] payload)
    {
        OwnLines.Add(new OwnDataLine(Log.Count, Event: null, payload, kind, TrailingBytes: 0));
        Data(payload);
    }

    public void Data(byte[] payload) => Log.Add("Program data: " + Convert.ToBase64String(payload));

    /// <summary>Cuts the log at <paramref name="line"/> as the runtime does past its cap; returns the own data lines left.</summary>
    public int Truncate(int line)
    {
        Log.RemoveRange(line, Log.Count - line);
        Log.Add("Log truncated");
        return OwnLines.Count(own => own.Line < line);
    }
}
