using System.Text.Json;

namespace SpinPet.Benchmarks;

/// <summary>
/// The golden vectors of shared/testdata (real Borsh payloads from Anchor's own encoder), embedded in the assembly:
/// per IDL event name, the base64 text as it appears after <c>Program data: </c> and the decoded bytes.
/// </summary>
internal static class GoldenVectors
{
    private static readonly Lazy<Dictionary<string, GoldenVector[]>> s_byEvent = new(Load);

    /// <summary>Every vector of <paramref name="eventName"/> (e.g. "BuySellEvent"), in file order.</summary>
    public static IReadOnlyList<GoldenVector> Of(string eventName) => s_byEvent.Value[eventName];

    public static GoldenVector First(string eventName) => Of(eventName)[0];

    private static Dictionary<string, GoldenVector[]> Load()
    {
        using var stream = typeof(GoldenVectors).Assembly.GetManifestResourceStream("spinpet-event-vectors.json")
            ?? throw new InvalidOperationException("The embedded resource spinpet-event-vectors.json is missing.");
        using var doc = JsonDocument.Parse(stream);
        var byEvent = new Dictionary<string, List<GoldenVector>>(StringComparer.Ordinal);
        foreach (var v in doc.RootElement.GetProperty("vectors").EnumerateArray())
        {
            string name = v.GetProperty("event").GetString()!;
            string base64 = v.GetProperty("program_data").GetString()!;
            if (!byEvent.TryGetValue(name, out var list))
            {
                byEvent[name] = list = [];
            }
            list.Add(new GoldenVector(name, base64, Convert.FromBase64String(base64)));
        }
        return byEvent.ToDictionary(static p => p.Key, static p => p.Value.ToArray(), StringComparer.Ordinal);
    }
}

internal sealed record GoldenVector(string Event, string Base64, byte[] Payload);
