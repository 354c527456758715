using System.Text.Json;
using SimpleBase;
using SpinPet.ChainSimulator.Chain;

namespace SpinPet.ChainSimulator.Rpc;

/// <summary>Renders a transaction as <c>getTransaction</c> with <c>"encoding":"json"</c> returns it.</summary>
internal static class TransactionJson
{
    // Rent-exempt balances: a token account (165 bytes) and a program account.
    private const ulong AccountLamports = 2_039_280;
    private const ulong ProgramLamports = 1_141_440;

    // 1,000 characters; 80 of them pad a log past 80,000 (IncompleteTransaction.PaddedLogs).
    private static readonly string PaddingLine = "Program log: " + new string('x', 987);

    /// <summary>
    /// The answer with <paramref name="blockTime"/> (the block's, unless a fault changes it) and, for
    /// <see cref="SimulatorFaults.IncompleteTransactionRate"/>, with <paramref name="incomplete"/>'s part left out
    /// or wrong.
    /// </summary>
    public static void Write(Utf8JsonWriter writer, LedgerTransaction transaction, long blockTime, IncompleteTransaction? incomplete = null)
    {
        var message = transaction.Message;
        writer.WriteStartObject();
        writer.WriteNumber("blockTime", blockTime);

        if (incomplete == IncompleteTransaction.NoMeta)
        {
            writer.WriteNull("meta");
        }
        else
        {
            WriteMeta(writer, transaction, withLogs: incomplete != IncompleteTransaction.NoLogMessages, padded: incomplete == IncompleteTransaction.PaddedLogs);
        }

        writer.WriteNumber("slot", incomplete == IncompleteTransaction.WrongSlot ? transaction.Slot + 1 : transaction.Slot);

        if (incomplete != IncompleteTransaction.NoTransaction)
        {
            WriteTransaction(writer, transaction, message);
        }

        writer.WriteNumber("version", 0);
        writer.WriteEndObject();
    }

    private static void WriteMeta(Utf8JsonWriter writer, LedgerTransaction transaction, bool withLogs, bool padded)
    {
        writer.WriteStartObject("meta");
        writer.WriteNumber("computeUnitsConsumed", transaction.ComputeUnitsConsumed);
        RpcMethods.WriteError(writer, transaction.Error);
        writer.WriteNumber("fee", transaction.Fee);
        writer.WriteStartArray("innerInstructions");
        writer.WriteEndArray();
        writer.WriteStartObject("loadedAddresses");
        writer.WriteStartArray("readonly");
        writer.WriteEndArray();
        writer.WriteStartArray("writable");
        writer.WriteEndArray();
        writer.WriteEndObject();
        if (withLogs)
        {
            writer.WriteStartArray("logMessages");
            foreach (string line in transaction.Transaction.Logs)
            {
                writer.WriteStringValue(line);
            }
            for (int i = 0; padded && i < 80; i++)
            {
                writer.WriteStringValue(PaddingLine);
            }
            writer.WriteEndArray();
        }
        else
        {
            writer.WriteNull("logMessages");
        }
        WriteBalances(writer, "postBalances", transaction, transaction.PayerLamportsBefore - transaction.Fee);
        WriteEmptyArray(writer, "postTokenBalances");
        WriteBalances(writer, "preBalances", transaction, transaction.PayerLamportsBefore);
        WriteEmptyArray(writer, "preTokenBalances");
        WriteEmptyArray(writer, "rewards");
        writer.WriteStartObject("status");
        if (transaction.Error is null)
        {
            writer.WriteNull("Ok");
        }
        else
        {
            writer.WritePropertyName("Err");
            transaction.Error.WriteTo(writer);
        }
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static void WriteTransaction(Utf8JsonWriter writer, LedgerTransaction transaction, TransactionMessage message)
    {
        writer.WriteStartObject("transaction");
        writer.WriteStartObject("message");
        writer.WriteStartArray("accountKeys");
        foreach (string key in message.AccountKeys)
        {
            writer.WriteStringValue(key);
        }
        writer.WriteEndArray();
        WriteEmptyArray(writer, "addressTableLookups");
        writer.WriteStartObject("header");
        writer.WriteNumber("numReadonlySignedAccounts", 0);
        writer.WriteNumber("numReadonlyUnsignedAccounts", message.ReadonlyUnsignedCount);
        writer.WriteNumber("numRequiredSignatures", 1);
        writer.WriteEndObject();
        writer.WriteStartArray("instructions");
        foreach (var instruction in message.Instructions)
        {
            writer.WriteStartObject();
            writer.WriteStartArray("accounts");
            foreach (int account in instruction.Accounts)
            {
                writer.WriteNumberValue(account);
            }
            writer.WriteEndArray();
            writer.WriteString("data", Base58.Bitcoin.Encode(instruction.Data));
            writer.WriteNumber("programIdIndex", instruction.ProgramIdIndex);
            writer.WriteNull("stackHeight");
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
        writer.WriteString("recentBlockhash", message.RecentBlockhash);
        writer.WriteEndObject();
        writer.WriteStartArray("signatures");
        writer.WriteStringValue(transaction.Signature);
        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static void WriteBalances(Utf8JsonWriter writer, string name, LedgerTransaction transaction, ulong payerLamports)
    {
        var message = transaction.Message;
        int firstReadonly = message.AccountKeys.Count - message.ReadonlyUnsignedCount;
        writer.WriteStartArray(name);
        for (int i = 0; i < message.AccountKeys.Count; i++)
        {
            writer.WriteNumberValue(i == 0 ? payerLamports : i >= firstReadonly ? ProgramLamports : AccountLamports);
        }
        writer.WriteEndArray();
    }

    private static void WriteEmptyArray(Utf8JsonWriter writer, string name)
    {
        writer.WriteStartArray(name);
        writer.WriteEndArray();
    }
}
