using System.Text.Json;
using SpinPet.TestSupport;

namespace SpinPet.Solana.Tests.Decoding;

/// <summary>The 28 golden vectors of shared/testdata, produced by an independent (Anchor TS) encoder.</summary>
internal static class EventVectors
{
    private static readonly Lazy<IReadOnlyList<EventVector>> s_all = new(Load);

    public static IReadOnlyList<EventVector> All => s_all.Value;

    /// <summary>Vector ids such as "BuySellEvent #0", for readable theory cases.</summary>
    public static TheoryData<string> Ids
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (var v in All)
            {
                data.Add(v.Id);
            }
            return data;
        }
    }

    public static EventVector Get(string id) => All.Single(v => v.Id == id);

    public static EventVector First(string eventName) => All.First(v => v.Event == eventName);

    private static List<EventVector> Load()
    {
        string path = RepoPaths.SharedFile("testdata", "spinpet-event-vectors.json");
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var seen = new Dictionary<string, int>();
        var vectors = new List<EventVector>();
        foreach (var v in doc.RootElement.GetProperty("vectors").EnumerateArray())
        {
            string name = v.GetProperty("event").GetString()!;
            int n = seen.GetValueOrDefault(name);
            seen[name] = n + 1;
            string base64 = v.GetProperty("program_data").GetString()!;
            var fields = v.GetProperty("fields").Clone();
            vectors.Add(new EventVector($"{name} #{n}", name, base64, Convert.FromBase64String(base64), fields));
        }
        return vectors;
    }
}

internal sealed record EventVector(string Id, string Event, string Base64, byte[] Payload, JsonElement Fields)
{
    public override string ToString() => Id;
}
