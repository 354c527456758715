using System.Buffers.Binary;
using System.Text;

namespace SpinPet.Solana.Tests.Decoding;

/// <summary>Hand-built payloads and log lines for cases the golden vectors do not cover.</summary>
internal static class TestPayloads
{
    public const string ProgramId = "JBMmrp6jhksqnxDBskkmVvWHhJLaPBjgiMHEroJbUTBZ";
    public const string TokenProgram = "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA";
    public const string SystemProgram = "11111111111111111111111111111111";
    public const string ComputeBudget = "ComputeBudget111111111111111111111111111111";

    // The legacy TokenCreatedEvent (payer, mint_account, curve_account, name, symbol, uri) from events.md.
    public const string LegacyTokenCreated =
        "YHpxijLjlTkB4zScH0SsToNyGhiec5kGdF1GkonqmEVHiLviqlJ60WgjO/+njIoWNEoSAEU8V61EXu4pMCStPZwLpldHFrBpILIFqP1L5oIol8LWnxYiG7ZVysJ6CbmZXmKMJ28xsiwFAAAASGVsbG8DAAAASExPJAAAAGh0dHBzOi8vZXhhbXBsZS5jb20vaGVsbG8tdG9rZW4uanNvbg==";

    public static string Invoke(string id, int depth) => $"Program {id} invoke [{depth}]";

    public static string Success(string id) => $"Program {id} success";

    public static string Failed(string id) => $"Program {id} failed: custom program error: 0x1771";

    public static string Data(byte[] payload) => "Program data: " + Convert.ToBase64String(payload);

    public static byte[] Concat(params byte[][] parts) => [.. parts.SelectMany(p => p)];

    public static byte[] Hex(string hex) => Convert.FromHexString(hex);

    /// <summary>A TokenCreatedEvent payload with chosen raw string bytes (to plant bad UTF-8 or lengths).</summary>
    public static byte[] TokenCreated(byte[] name, byte[] symbol, byte[] uri, uint? nameLengthOverride = null)
    {
        var body = new List<byte>(Hex("607a718a32e39539"));
        for (int i = 0; i < 8; i++)
        {
            body.AddRange(Enumerable.Repeat((byte)(i + 1), 32));
        }
        body.AddRange(U16(300));
        body.AddRange(U16(400));
        body.Add(1);
        body.AddRange(U32(nameLengthOverride ?? (uint)name.Length));
        body.AddRange(name);
        body.AddRange(U32((uint)symbol.Length));
        body.AddRange(symbol);
        body.AddRange(U32((uint)uri.Length));
        body.AddRange(uri);
        return [.. body];
    }

    public static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

    private static byte[] U16(ushort v)
    {
        var b = new byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(b, v);
        return b;
    }

    private static byte[] U32(uint v)
    {
        var b = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(b, v);
        return b;
    }
}
