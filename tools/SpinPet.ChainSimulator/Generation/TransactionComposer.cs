using System.Buffers.Binary;
using System.Globalization;
using SpinPet.ChainSimulator.Borsh;
using SpinPet.ChainSimulator.Chain;
using SpinPet.Core.Events;

namespace SpinPet.ChainSimulator.Generation;

/// <summary>
/// Writes a planned transaction's logs the way the Solana runtime and Anchor do, with the noise real logs carry:
/// compute-budget instructions first, CPIs into the token and system programs, a router calling SpinPet at depth 2,
/// other programs writing <c>Program data:</c> lines that carry SpinPet discriminators (not SpinPet's events),
/// misleading <c>Program log: … success</c> lines, Anchor errors, the runtime's <c>Log truncated</c>, and (only
/// when <see cref="SimulatorOptions.MalformedDataRate"/> is set) data lines of the program that do not decode.
/// </summary>
internal sealed class TransactionComposer
{
    private const ulong BaseFeeLamports = 5000;
    private const long DefaultUnitsPerInstruction = 200_000;
    private const long MaxUnitsPerTransaction = 1_400_000;
    private const long BuiltinUnits = 150;

    // Shares of transactions that carry each kind of noise.
    private const double ComputeBudgetShare = 0.85;
    private const double PriorityFeeShare = 0.8;
    private const double ForeignTopLevelShare = 0.01;
    private const double RoutedShare = 0.08;
    private const double ForeignCpiShare = 0.03;
    private const double CpiBetweenEventsShare = 0.3;
    private const double MisleadingLogShare = 0.1;
    private const double TruncatedShare = 0.05; // of transactions with several events

    private static readonly long[] UnitLimits = [200_000, 250_000, 300_000, 400_000];

    private readonly Entropy _entropy;
    private readonly string _program;
    private readonly double _malformedRate;
    private readonly MalformedPayloads _malformed;

    // A third-party program that logs its own data with SpinPet's discriminators (a copycat indexer helper).
    private readonly string _copycat;

    public TransactionComposer(string programId, double malformedRate, Entropy entropy)
    {
        _program = programId;
        _malformedRate = malformedRate;
        _entropy = entropy;
        _malformed = new MalformedPayloads(entropy);
        _copycat = entropy.NewKey().ToString();
    }

    public ComposedTransaction Compose(TransactionPlan plan)
    {
        var draft = new TransactionDraft(plan);
        bool foreignTopLevel = _entropy.Chance(ForeignTopLevelShare);
        bool routed = plan.Instructions.Count == 1 && _entropy.Chance(RoutedShare);
        int topLevelCount = (foreignTopLevel ? 1 : 0) + Math.Max(1, plan.Instructions.Count);
        WriteComputeBudget(draft, topLevelCount);

        if (foreignTopLevel)
        {
            WriteCopycatInstruction(draft);
        }
        if (plan.Instructions.Count == 0)
        {
            WriteRouterWithoutRoute(draft);
        }

        TransactionError? error = null;
        for (int k = 0; k < plan.Instructions.Count; k++)
        {
            bool failing = plan.Failure is not null && k == plan.Instructions.Count - 1;
            int topIndex = WriteInstruction(draft, plan.Instructions[k], failing ? plan.Failure : null, routed);
            if (failing)
            {
                error = new TransactionError(topIndex, plan.Failure!.Error.Code);
                break;
            }
        }

        int visible = draft.OwnLines.Count;
        if (error is null && draft.OwnLines.Count >= 2 && _entropy.Chance(TruncatedShare))
        {
            // The runtime caps a transaction's log (10 KB) and replaces the rest with one line; long logs are the
            // ones with several events. The cut keeps the first data line, so something is left to index.
            visible = draft.Truncate(_entropy.Next(draft.OwnLines[0].Line + 1, draft.Log.Count));
        }

        var blockhash = new byte[32];
        _entropy.Fill(blockhash);
        ulong payerLamports = _entropy.LogUniform(500_000_000, 500_000_000_000);
        return new ComposedTransaction(
            [.. draft.Log],
            [.. draft.OwnLines.Take(visible)],
            error,
            draft.Message.Build(SimpleBase.Base58.Bitcoin.Encode(blockhash)),
            (ulong)draft.ConsumedUnits,
            draft.Fee,
            payerLamports);
    }

    private void WriteComputeBudget(TransactionDraft draft, int topLevelCount)
    {
        draft.Fee = BaseFeeLamports;
        draft.RemainingUnits = Math.Min(MaxUnitsPerTransaction, DefaultUnitsPerInstruction * topLevelCount);
        if (!_entropy.Chance(ComputeBudgetShare))
        {
            return;
        }
        long limit = topLevelCount > 1 ? 400_000 : _entropy.Pick(UnitLimits);
        draft.RemainingUnits = limit;
        draft.Message.AddInstruction(KnownPrograms.ComputeBudget, [], ComputeBudgetData(2, (ulong)limit, 4));
        draft.Builtin(KnownPrograms.ComputeBudget, 1);
        draft.Charge(BuiltinUnits);
        if (_entropy.Chance(PriorityFeeShare))
        {
            ulong microLamports = _entropy.LogUniform(1_000, 500_000);
            draft.Message.AddInstruction(KnownPrograms.ComputeBudget, [], ComputeBudgetData(3, microLamports, 8));
            draft.Builtin(KnownPrograms.ComputeBudget, 1);
            draft.Charge(BuiltinUnits);
            draft.Fee += (ulong)(((UInt128)microLamports * (ulong)limit + 999_999) / 1_000_000);
        }
    }

    private void WriteCopycatInstruction(TransactionDraft draft)
    {
        draft.Message.AddInstruction(_copycat, [draft.Payer], RandomBytes(8));
        long used = _entropy.Next(1_000, 4_000);
        draft.Invoke(_copycat, 1);
        draft.Line("Program log: Instruction: Log");
        draft.Data(CopycatPayload());
        draft.Consumed(_copycat, used, draft.RemainingUnits);
        draft.Exit(_copycat);
        draft.Charge(used);
    }

    // The program is in the account list but never runs: an aggregator quoted its curve and found no route.
    private void WriteRouterWithoutRoute(TransactionDraft draft)
    {
        draft.Message.AddInstruction(KnownPrograms.Router, [draft.Payer, _program, .. draft.Accounts], RandomBytes(24));
        long used = _entropy.Next(6_000, 20_000);
        draft.Invoke(KnownPrograms.Router, 1);
        draft.Line("Program log: Instruction: Route");
        draft.Line("Program log: No route found for the requested amount");
        draft.Consumed(KnownPrograms.Router, used, draft.RemainingUnits);
        draft.Exit(KnownPrograms.Router);
        draft.Charge(used);
    }

    /// <summary>Writes one instruction of the program (through the router when routed); returns its top-level index.</summary>
    private int WriteInstruction(TransactionDraft draft, InstructionPlan instruction, PlannedFailure? failure, bool routed)
    {
        int depth = 1;
        long available = draft.RemainingUnits;
        long routerOwn = 0;
        int topIndex;
        if (routed)
        {
            topIndex = draft.Message.AddInstruction(KnownPrograms.Router, [draft.Payer, _program, .. draft.Accounts], RandomBytes(24));
            draft.Invoke(KnownPrograms.Router, 1);
            draft.Line("Program log: Instruction: SharedAccountsRoute");
            routerOwn = _entropy.Next(8_000, 20_000);
            available -= routerOwn;
            depth = 2;
        }
        else
        {
            byte[] data = [.. Discriminators.Instruction(instruction.Name), .. RandomBytes(16)];
            topIndex = draft.Message.AddInstruction(_program, [draft.Payer, .. draft.Accounts, KnownPrograms.Token, KnownPrograms.System], data);
        }

        long used = instruction.Name == "create" ? _entropy.Next(60_000, 110_000) : _entropy.Next(18_000, 90_000);
        draft.Invoke(_program, depth);
        draft.Line("Program log: Instruction: " + instruction.LogName);
        WriteLeadingCpis(draft, instruction.Name, depth + 1, available);

        int toLog = failure?.EventsLogged ?? instruction.Events.Count;
        for (int i = 0; i < toLog; i++)
        {
            if (i > 0 && _entropy.Chance(CpiBetweenEventsShare))
            {
                TokenTransfer(draft, depth + 1, available - (used / 2));
            }
            WriteOwnEvent(draft, instruction.Events[i]);
            if (_entropy.Chance(ForeignCpiShare))
            {
                draft.Invoke(_copycat, depth + 1);
                draft.Data(CopycatPayload());
                draft.Consumed(_copycat, _entropy.Next(900, 3_000), available - used + 3_000);
                draft.Exit(_copycat);
            }
        }

        string outcome = "success";
        if (failure is not null)
        {
            var error = failure.Error;
            draft.Line(string.Create(CultureInfo.InvariantCulture,
                $"Program log: AnchorError thrown in programs/spinpet/src/instructions/{instruction.Name}.rs:{_entropy.Next(40, 400)}. Error Code: {error.Name}. Error Number: {error.Code}. Error Message: {error.Message}."));
            outcome = string.Create(CultureInfo.InvariantCulture, $"failed: custom program error: 0x{error.Code:x}");
        }
        else if (_entropy.Chance(MisleadingLogShare))
        {
            draft.Line($"Program log: {instruction.LogName} success");
        }
        draft.Consumed(_program, used, available);
        draft.Exit(_program, outcome);
        if (routed)
        {
            draft.Consumed(KnownPrograms.Router, used + routerOwn, draft.RemainingUnits);
            draft.Exit(KnownPrograms.Router, outcome);
        }
        draft.Charge(used + routerOwn);
        return topIndex;
    }

    // The program's event, now and then with something wrong (SimulatorOptions.MalformedDataRate). The broken line
    // comes in addition to the event, so the market an indexer sees stays whole and only the broken line is lost.
    // A rate of 0 draws nothing from the entropy, so a seed gives the same chain as before the option existed.
    private void WriteOwnEvent(TransactionDraft draft, SpinPetEvent spinPetEvent)
    {
        if (!_entropy.Chance(_malformedRate))
        {
            draft.OwnData(spinPetEvent);
            return;
        }
        switch (_entropy.Next(5))
        {
            case 0:
                // A newer program layout with fields appended: accepted, stored with the extra bytes.
                draft.OwnData(spinPetEvent, RandomBytes(_entropy.Next(1, 33)));
                return;
            case 1:
                draft.OwnMalformed(MalformedDataKind.ShortBody, _malformed.ShortBody(spinPetEvent));
                break;
            case 2:
                draft.OwnMalformed(MalformedDataKind.InvalidBool, _malformed.InvalidBool());
                break;
            case 3:
                draft.OwnMalformed(MalformedDataKind.InvalidUtf8, _malformed.InvalidUtf8());
                break;
            default:
                draft.OwnMalformed(MalformedDataKind.UnknownDiscriminator, _malformed.UnknownDiscriminator());
                break;
        }
        draft.OwnData(spinPetEvent);
    }

    private void WriteLeadingCpis(TransactionDraft draft, string instruction, int depth, long available)
    {
        switch (instruction)
        {
            case "create":
                draft.Builtin(KnownPrograms.System, depth);
                draft.Builtin(KnownPrograms.System, depth);
                draft.Invoke(KnownPrograms.Token, depth);
                draft.Line("Program log: Instruction: InitializeMint2");
                draft.Consumed(KnownPrograms.Token, 2_780, available - 12_000);
                draft.Exit(KnownPrograms.Token);
                draft.Invoke(KnownPrograms.TokenMetadata, depth);
                draft.Line("Program log: IX: Create Metadata Accounts v3");
                draft.Builtin(KnownPrograms.System, depth + 1);
                draft.Consumed(KnownPrograms.TokenMetadata, _entropy.Next(30_000, 40_000), available - 16_000);
                draft.Exit(KnownPrograms.TokenMetadata);
                break;
            case "buy" or "long" or "close_short":
                draft.Builtin(KnownPrograms.System, depth);
                TokenTransfer(draft, depth, available - _entropy.Next(6_000, 15_000));
                break;
            case "sell" or "short" or "close_long":
                TokenTransfer(draft, depth, available - _entropy.Next(6_000, 15_000));
                break;
            default:
                break;
        }
    }

    private void TokenTransfer(TransactionDraft draft, int depth, long available)
    {
        draft.Invoke(KnownPrograms.Token, depth);
        draft.Line("Program log: Instruction: Transfer");
        draft.Consumed(KnownPrograms.Token, _entropy.Chance(0.5) ? 4_645 : 4_736, available);
        draft.Exit(KnownPrograms.Token);
    }

    // Something that decodes as a SpinPet event but is written by another program: an indexer must ignore it.
    private byte[] CopycatPayload() => EventEncoder.Encode(new BuySellEvent
    {
        Payer = _entropy.NewKey(),
        MintAccount = _entropy.NewKey(),
        IsBuy = _entropy.Chance(0.5),
        TokenAmount = _entropy.LogUniform(1_000_000, 1_000_000_000_000),
        SolAmount = _entropy.LogUniform(1_000_000, 10_000_000_000),
        Price = _entropy.LogUniform(1_000_000_000_000_000_000, ulong.MaxValue),
    });

    private byte[] RandomBytes(int count)
    {
        var bytes = new byte[count];
        _entropy.Fill(bytes);
        return bytes;
    }

    private static byte[] ComputeBudgetData(byte tag, ulong value, int width)
    {
        var data = new byte[1 + width];
        data[0] = tag;
        if (width == 4)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(1), (uint)value);
        }
        else
        {
            BinaryPrimitives.WriteUInt64LittleEndian(data.AsSpan(1), value);
        }
        return data;
    }
}
