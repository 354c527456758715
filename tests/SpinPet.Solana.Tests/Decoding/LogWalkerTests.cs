using SpinPet.Core.Chain;
using SpinPet.Solana.Decoding;
using static SpinPet.Solana.Tests.Decoding.TestPayloads;

namespace SpinPet.Solana.Tests.Decoding;

public sealed class LogWalkerTests
{
    private static readonly byte[] s_buy = EventVectors.First("BuySellEvent").Payload;
    private static readonly byte[] s_sell = EventVectors.Get("BuySellEvent #3").Payload;

    private readonly TransactionDecoder _decoder = new(PublicKey.Parse(ProgramId));

    [Fact]
    public void Typical_buy_transaction_yields_its_one_event()
    {
        var result = _decoder.Decode(
        [
            Invoke(ComputeBudget, 1),
            Success(ComputeBudget),
            Invoke(ProgramId, 1),
            "Program log: Instruction: Buy",
            Invoke(SystemProgram, 2),
            Success(SystemProgram),
            Data(s_buy),
            $"Program {ProgramId} consumed 41234 of 200000 compute units",
            Success(ProgramId),
        ]);

        var ev = Assert.Single(result.Events);
        Assert.Equal(0, ev.Index);
        Assert.Equal(s_buy, ev.Payload.ToArray());
        Assert.Empty(result.RejectedPayloads);
        Assert.Equal((false, 1, 0), (result.Truncated, result.DataLines, result.StackAnomalies));
    }

    [Fact]
    public void Program_log_buy_success_does_not_pop()
    {
        var walker = new LogWalker(PublicKey.Parse(ProgramId));
        walker.Next(Invoke(ProgramId, 1), out _);

        Assert.Equal(LogLineKind.Other, walker.Next("Program log: Buy success", out _));
        Assert.Equal(LogLineKind.Other, walker.Next("Program log: " + Success(ProgramId), out _));
        Assert.Equal(1, walker.Depth);
        Assert.Equal(LogLineKind.OurData, walker.Next(Data(s_buy), out var data));
        Assert.Equal(Convert.ToBase64String(s_buy), data.ToString());
    }

    [Fact]
    public void Data_under_another_program_invoked_by_ours_is_not_ours()
    {
        var result = _decoder.Decode(
        [
            Invoke(ProgramId, 1),
            Invoke(TokenProgram, 2),
            Data(s_buy),             // our discriminator, but the token program is executing
            Success(TokenProgram),
            Data(s_sell),
            Success(ProgramId),
        ]);

        var ev = Assert.Single(result.Events);
        Assert.Equal(0, ev.Index);
        Assert.Equal(s_sell, ev.Payload.ToArray());
        Assert.Equal(1, result.DataLines);
    }

    [Fact]
    public void Our_program_invoked_by_another_program_is_ours()
    {
        var result = _decoder.Decode(
        [
            Invoke(TokenProgram, 1),
            Data(s_sell),            // the outer program's data: not ours
            Invoke(ProgramId, 2),
            "Program log: Instruction: Buy",
            Data(s_buy),
            Success(ProgramId),
            Data(s_sell),            // back in the outer program
            Success(TokenProgram),
        ]);

        var ev = Assert.Single(result.Events);
        Assert.Equal(s_buy, ev.Payload.ToArray());
    }

    [Fact]
    public void Data_outside_any_program_is_not_ours()
    {
        var walker = new LogWalker(PublicKey.Parse(ProgramId));

        Assert.Equal(LogLineKind.ForeignData, walker.Next(Data(s_buy), out var data));
        Assert.True(data.IsEmpty);
    }

    [Fact]
    public void Log_truncated_keeps_what_came_before_and_stops()
    {
        var result = _decoder.Decode(
        [
            Invoke(ProgramId, 1),
            Data(s_buy),
            "Log truncated",
            Data(s_sell),
            Success(ProgramId),
        ]);

        Assert.True(result.Truncated);
        var ev = Assert.Single(result.Events);
        Assert.Equal(s_buy, ev.Payload.ToArray());
    }

    [Fact]
    public void Only_the_exact_log_truncated_line_truncates()
    {
        var walker = new LogWalker(PublicKey.Parse(ProgramId));

        Assert.Equal(LogLineKind.Other, walker.Next("Program log: Log truncated", out _));
        Assert.Equal(LogLineKind.Other, walker.Next("Log truncated.", out _));
        Assert.False(walker.Truncated);
        Assert.Equal(LogLineKind.Truncated, walker.Next("Log truncated", out _));
        Assert.Equal(LogLineKind.AfterTruncation, walker.Next(Invoke(ProgramId, 1), out _));
        Assert.True(walker.Truncated);
        Assert.Equal(0, walker.Depth);
    }

    [Fact]
    public void Failed_line_pops()
    {
        var walker = new LogWalker(PublicKey.Parse(ProgramId));
        walker.Next(Invoke(ProgramId, 1), out _);
        walker.Next(Invoke(TokenProgram, 2), out _);

        Assert.Equal(LogLineKind.Failed, walker.Next(Failed(TokenProgram), out _));
        Assert.Equal(1, walker.Depth);
        Assert.True(walker.InOurProgram);
        Assert.Equal(LogLineKind.Failed, walker.Next($"Program {ProgramId} failed: ", out _));
        Assert.Equal(0, walker.Depth);
        Assert.Equal(0, walker.Anomalies);
    }

    [Fact]
    public void Exit_on_an_empty_stack_or_for_another_program_is_an_anomaly_and_pops_nothing()
    {
        var walker = new LogWalker(PublicKey.Parse(ProgramId));

        Assert.Equal(LogLineKind.Success, walker.Next(Success(ProgramId), out _));
        Assert.Equal(1, walker.Anomalies);

        walker.Next(Invoke(ProgramId, 1), out _);
        Assert.Equal(LogLineKind.Success, walker.Next(Success(TokenProgram), out _));
        Assert.Equal(LogLineKind.Failed, walker.Next(Failed(SystemProgram), out _));
        Assert.Equal(3, walker.Anomalies);
        Assert.Equal(1, walker.Depth);
        Assert.True(walker.InOurProgram);
    }

    [Fact]
    public void Invoke_depth_that_skips_a_level_is_counted_but_still_pushed()
    {
        var walker = new LogWalker(PublicKey.Parse(ProgramId));

        Assert.Equal(LogLineKind.Invoke, walker.Next(Invoke(ProgramId, 3), out _));
        Assert.Equal(LogLineKind.Invoke, walker.Next($"Program {TokenProgram} invoke [99999999999999999999]", out _));
        Assert.Equal(2, walker.Anomalies);
        Assert.Equal(2, walker.Depth);
    }

    [Theory]
    [InlineData("")]
    [InlineData("Program")]
    [InlineData("Program ")]
    [InlineData("Program log: Instruction: Sell")]
    [InlineData("Program return: JBMmrp6jhksqnxDBskkmVvWHhJLaPBjgiMHEroJbUTBZ AQID")]
    [InlineData("Program JBMmrp6jhksqnxDBskkmVvWHhJLaPBjgiMHEroJbUTBZ consumed 1000 of 200000 compute units")]
    [InlineData("Program JBMmrp6jhksqnxDBskkmVvWHhJLaPBjgiMHEroJbUTBZ invoke [x]")]
    [InlineData("Program JBMmrp6jhksqnxDBskkmVvWHhJLaPBjgiMHEroJbUTBZ invoke []")]
    [InlineData("Program JBMmrp6jhksqnxDBskkmVvWHhJLaPBjgiMHEroJbUTBZ invoke [1] ")]
    [InlineData("Program JBMmrp6jhksqnxDBskkmVvWHhJLaPBjgiMHEroJbUTBZ invoke [\u0661]")]   // Arabic-Indic one
    [InlineData("Program JBMmrp6jhksqnxDBskkmVvWHhJLaPBjgiMHEroJbUTBZ invoke [-1]")]
    [InlineData("Program JBMmrp6jhksqnxDBskkmVvWHhJLaPBjgiMHEroJbUTBZ invoke [1")]
    [InlineData("Program JBMmrp6jhksqnxDBskkmVvWHhJLaPBjgiMHEroJbUTBZ  invoke [1]")]
    [InlineData("Program JBMmrp6jhksqnxDBskkmVvWHhJLaPBjgiMHEroJbUTBZ successful")]
    [InlineData("Program JBMmrp6jhksqnxDBskkmVvWHhJLaPBjgiMHEroJbUTBZ success ")]
    [InlineData("Program JBMmrp6jhksqnxDBskkmVvWHhJLaPBjgiMHEroJbUTBZ failed")]
    [InlineData("Program JBMmrp6jhksqnxDBskkmVvWHhJLaPBjgiMHEroJbUTBZ")]
    [InlineData("Program JBMmrp6jhksqnxDBskkmVvWHhJLaPBjgiMHEroJbUTB0 invoke [1]")]   // '0' is not base58
    [InlineData("Program JBMmrp6jhksqnxDBskkmVvWHhJLaPBjgiMHEroJbUTBZZ invoke [1]")]  // 45 digits
    [InlineData("Program 1111111111111111111111111111111 invoke [1]")]                // 31 digits
    [InlineData(" Program JBMmrp6jhksqnxDBskkmVvWHhJLaPBjgiMHEroJbUTBZ invoke [1]")]
    [InlineData("program JBMmrp6jhksqnxDBskkmVvWHhJLaPBjgiMHEroJbUTBZ invoke [1]")]
    [InlineData("Program data:AAAA")]
    [InlineData("\u0000\uFFFF\uD800 garbage")]
    public void Garbage_lines_are_ignored(string line)
    {
        var walker = new LogWalker(PublicKey.Parse(ProgramId));
        walker.Next(Invoke(ProgramId, 1), out _);

        Assert.Equal(LogLineKind.Other, walker.Next(line, out var data));
        Assert.True(data.IsEmpty);
        Assert.Equal(1, walker.Depth);
        Assert.Equal(0, walker.Anomalies);
        Assert.False(walker.Truncated);
    }

    [Fact]
    public void Invoke_accepts_base58_ids_of_32_to_44_digits()
    {
        var walker = new LogWalker(PublicKey.Parse(ProgramId));

        Assert.Equal(LogLineKind.Invoke, walker.Next(Invoke(SystemProgram, 1), out _));
        Assert.Equal(LogLineKind.Invoke, walker.Next(Invoke(TokenProgram, 2), out _));
        Assert.Equal(LogLineKind.Success, walker.Next(Success(TokenProgram), out _));
        Assert.Equal(LogLineKind.Success, walker.Next(Success(SystemProgram), out _));
        Assert.Equal((0, 0), (walker.Depth, walker.Anomalies));
    }

    [Fact]
    public void A_program_id_that_only_shares_a_prefix_with_ours_is_not_ours()
    {
        // Same first 43 digits, different last one: compared in full, not by prefix.
        string lookalike = ProgramId[..^1] + "Y";
        var walker = new LogWalker(PublicKey.Parse(ProgramId));
        walker.Next(Invoke(lookalike, 1), out _);

        Assert.False(walker.InOurProgram);
        Assert.Equal(LogLineKind.ForeignData, walker.Next(Data(s_buy), out _));
        Assert.Equal(LogLineKind.Success, walker.Next(Success(ProgramId), out _));
        Assert.Equal(1, walker.Anomalies);
    }

    [Fact]
    public void Stack_deeper_than_its_initial_size_grows()
    {
        var walker = new LogWalker(PublicKey.Parse(ProgramId));
        for (int depth = 1; depth <= 20; depth++)
        {
            walker.Next(Invoke(depth % 2 == 0 ? ProgramId : TokenProgram, depth), out _);
        }
        Assert.Equal(20, walker.Depth);
        Assert.True(walker.InOurProgram);
        for (int depth = 20; depth >= 1; depth--)
        {
            Assert.Equal(depth % 2 == 0, walker.InOurProgram);
            walker.Next(Success(depth % 2 == 0 ? ProgramId : TokenProgram), out _);
        }
        Assert.Equal((0, 0), (walker.Depth, walker.Anomalies));
    }

    [Fact]
    public void Reset_clears_the_stack_and_flags()
    {
        var walker = new LogWalker(PublicKey.Parse(ProgramId));
        walker.Next(Invoke(ProgramId, 1), out _);
        walker.Next(Success(TokenProgram), out _);
        walker.Next("Log truncated", out _);

        walker.Reset();

        Assert.Equal((0, 0, false), (walker.Depth, walker.Anomalies, walker.Truncated));
        Assert.Equal(LogLineKind.Invoke, walker.Next(Invoke(ProgramId, 1), out _));
    }

    [Fact]
    public void Walking_lines_allocates_nothing()
    {
        string[] lines =
        [
            Invoke(ComputeBudget, 1),
            Success(ComputeBudget),
            Invoke(ProgramId, 1),
            "Program log: Instruction: Buy",
            Invoke(SystemProgram, 2),
            Success(SystemProgram),
            Data(s_buy),
            $"Program {ProgramId} consumed 41234 of 200000 compute units",
            Success(ProgramId),
        ];
        var walker = new LogWalker(PublicKey.Parse(ProgramId));
        Walk(walker, lines);

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            walker.Reset();
            Walk(walker, lines);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);

        static void Walk(LogWalker walker, string[] lines)
        {
            foreach (string line in lines)
            {
                walker.Next(line, out _);
            }
        }
    }

    [Fact]
    public void Random_lines_never_throw()
    {
        var random = new Random(7);
        string[] pieces =
        [
            "Program ", ProgramId, TokenProgram, " invoke [", "1", "2", "]", " success", " failed: ", "data: ",
            "log: ", "Log truncated", " ", "\u00e9", "=", "AAAA", "YtB4PF0gE7Q=", "consumed",
        ];
        var walker = new LogWalker(PublicKey.Parse(ProgramId));
        for (int i = 0; i < 10_000; i++)
        {
            if (i % 50 == 0)
            {
                walker.Reset();
            }
            int count = random.Next(0, 7);
            var line = string.Concat(Enumerable.Range(0, count).Select(_ => pieces[random.Next(pieces.Length)]));
            var kind = walker.Next(line, out _);
            Assert.True(Enum.IsDefined(kind));
            Assert.True(walker.Depth >= 0);
        }
    }
}
