using System.Text.Json;

namespace SpinPet.ChainSimulator.Chain;

/// <summary>
/// Why a transaction failed, as a node reports it: <c>{"InstructionError":[index,{"Custom":code}]}</c> with the
/// index of the failing top-level instruction and the program's custom error code.
/// </summary>
internal sealed record TransactionError(int InstructionIndex, int CustomCode)
{
    public void WriteTo(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteStartArray("InstructionError");
        writer.WriteNumberValue(InstructionIndex);
        writer.WriteStartObject();
        writer.WriteNumber("Custom", CustomCode);
        writer.WriteEndObject();
        writer.WriteEndArray();
        writer.WriteEndObject();
    }
}
