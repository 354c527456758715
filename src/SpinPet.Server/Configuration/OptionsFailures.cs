using System.Globalization;
using Microsoft.Extensions.Options;

namespace SpinPet.Server.Configuration;

/// <summary>Collects validation problems of one section as <c>section.key: problem</c> lines.</summary>
internal sealed class OptionsFailures(string section)
{
    private readonly List<string> _failures = [];

    public void Add(string key, string problem) => _failures.Add($"{section}.{key}: {problem}");

    public void Range(string key, long value, long min, long max)
    {
        if (value < min || value > max)
        {
            Add(key, string.Create(CultureInfo.InvariantCulture, $"{value} is out of range {min}..{max}"));
        }
    }

    public void AtLeast(string key, long value, long min)
    {
        if (value < min)
        {
            Add(key, string.Create(CultureInfo.InvariantCulture, $"{value} must be at least {min}"));
        }
    }

    /// <summary>Each entry must be <c>*</c> or a browser origin: what the Origin header carries, compared verbatim.</summary>
    public void Origins(string key, IEnumerable<string> origins)
    {
        foreach (var origin in origins)
        {
            if (origin != "*" && !IsOrigin(origin))
            {
                Add(key, $"'{origin}' is not an origin (* or scheme://host[:port], no path or trailing slash)");
            }
        }
    }

    public ValidateOptionsResult Result() =>
        _failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(_failures);

    private static bool IsOrigin(string text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var uri)
        && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
        && text.Equals(uri.GetLeftPart(UriPartial.Authority), StringComparison.OrdinalIgnoreCase);
}
