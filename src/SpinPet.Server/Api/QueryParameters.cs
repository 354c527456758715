using System.Globalization;
using SpinPet.Core.Chain;

namespace SpinPet.Server.Api;

/// <summary>
/// Reads query parameters with messages that say which parameter is wrong and why, collected so one 400 answer
/// names every problem.
/// </summary>
internal sealed class QueryParameters(IQueryCollection query)
{
    private readonly List<string> _problems = [];

    public IReadOnlyList<string> Problems => _problems;

    public string Error => string.Join("; ", _problems);

    public string? Text(string name) => query.TryGetValue(name, out var values) && !string.IsNullOrWhiteSpace(values[0]) ? values[0] : null;

    public PublicKey? Address(string name, bool required = true)
    {
        var text = Text(name);
        if (text is null)
        {
            if (required)
            {
                _problems.Add($"{name} is required");
            }
            return null;
        }
        if (!PublicKey.TryParse(text, out var key))
        {
            _problems.Add($"{name}: '{Shorten(text)}' is not a Solana address (base58 of 32 bytes)");
            return null;
        }
        return key;
    }

    public long? Integer(string name, long min, long max)
    {
        var text = Text(name);
        if (text is null)
        {
            return null;
        }
        if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            _problems.Add($"{name}: '{Shorten(text)}' must be an integer in {min}..{max}");
            return null;
        }
        return value;
    }

    public string Choice(string name, string fallback, params string[] allowed)
    {
        var text = Text(name);
        if (text is null)
        {
            return fallback;
        }
        if (!allowed.Contains(text, StringComparer.Ordinal))
        {
            _problems.Add($"{name}: '{Shorten(text)}' must be one of: {string.Join(", ", allowed)}");
            return fallback;
        }
        return text;
    }

    public void Add(string problem) => _problems.Add(problem);

    /// <summary>The refusal of a request with <see cref="Problems"/>: one message naming them all.</summary>
    public Bound<T> Refusal<T>()
        where T : class => Bound<T>.Refused(Error);

    // Echoing a 1 MB parameter back would turn a 400 into an amplifier.
    private static string Shorten(string text) => text.Length <= 64 ? text : text[..64] + "…";
}
