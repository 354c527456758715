using System.Globalization;

namespace SpinPet.LoadGen;

/// <summary>Parsed <c>--name value</c> pairs of one verb, with typed getters that name the bad option.</summary>
internal sealed class Options
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

    public Options(IEnumerable<string> args)
    {
        string? pending = null;
        foreach (var arg in args)
        {
            if (arg.StartsWith("--", StringComparison.Ordinal))
            {
                if (pending is not null)
                {
                    _values[pending] = "true";
                }
                pending = arg[2..];
            }
            else if (pending is not null)
            {
                _values[pending] = arg;
                pending = null;
            }
            else
            {
                throw new ArgumentException($"unexpected argument '{arg}'");
            }
        }
        if (pending is not null)
        {
            _values[pending] = "true";
        }
    }

    public string? Text(string name) => _values.TryGetValue(name, out var v) ? v : null;

    public string Text(string name, string fallback) => Text(name) ?? fallback;

    public int Int(string name, int fallback) =>
        Text(name) is { } v ? int.Parse(v, NumberStyles.Integer, CultureInfo.InvariantCulture) : fallback;

    public double Double(string name, double fallback) =>
        Text(name) is { } v ? double.Parse(v, NumberStyles.Float, CultureInfo.InvariantCulture) : fallback;

    public bool Flag(string name) => Text(name) is "true" or "1" or "yes";
}
