using System.Globalization;

namespace SpinPet.Benchmarks;

/// <summary>
/// Log lines of one successful SpinPet transaction as the Solana runtime and Anchor write them: two compute-budget
/// instructions, the program at depth 1 with its <c>Instruction:</c> line, CPIs into the system and token programs,
/// one <c>Program data:</c> line per event (a token transfer between consecutive events), then consumed/success.
/// </summary>
internal static class AnchorLogs
{
    public const string ProgramId = "JBMmrp6jhksqnxDBskkmVvWHhJLaPBjgiMHEroJbUTBZ";
    private const string ComputeBudget = "ComputeBudget111111111111111111111111111111";
    private const string SystemProgram = "11111111111111111111111111111111";
    private const string TokenProgram = "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA";

    /// <param name="instruction">The Anchor instruction name as logged, e.g. "Buy".</param>
    /// <param name="base64Payloads">The events' payloads, base64, in emission order.</param>
    public static string[] Transaction(string instruction, params ReadOnlySpan<string> base64Payloads)
    {
        var log = new List<string>(16 + (base64Payloads.Length * 5));
        Builtin(log, ComputeBudget);
        Builtin(log, ComputeBudget);
        log.Add($"Program {ProgramId} invoke [1]");
        log.Add("Program log: Instruction: " + instruction);
        // A buy pays SOL through the system program, then receives tokens through the token program.
        Builtin(log, SystemProgram, depth: 2);
        TokenTransfer(log, consumed: 4_645);
        for (int i = 0; i < base64Payloads.Length; i++)
        {
            if (i > 0)
            {
                TokenTransfer(log, consumed: 4_736);
            }
            log.Add("Program data: " + base64Payloads[i]);
        }
        log.Add($"Program {ProgramId} consumed {41_227 + (base64Payloads.Length * 9_000)} of 199700 compute units");
        log.Add($"Program {ProgramId} success");
        return [.. log];
    }

    private static void Builtin(List<string> log, string program, int depth = 1)
    {
        log.Add(string.Create(CultureInfo.InvariantCulture, $"Program {program} invoke [{depth}]"));
        log.Add($"Program {program} success");
    }

    private static void TokenTransfer(List<string> log, int consumed)
    {
        log.Add($"Program {TokenProgram} invoke [2]");
        log.Add("Program log: Instruction: Transfer");
        log.Add(string.Create(CultureInfo.InvariantCulture, $"Program {TokenProgram} consumed {consumed} of 158473 compute units"));
        log.Add($"Program {TokenProgram} success");
    }
}
