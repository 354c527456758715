using System.Globalization;
using Microsoft.Extensions.Configuration;
using Tomlyn;
using Tomlyn.Model;
using Tomlyn.Parsing;

namespace SpinPet.Server.Configuration;

/// <summary>
/// Turns a TOML document into flat configuration keys: tables become <c>section:key</c>, array items
/// <c>key:0</c>, <c>key:1</c>…, scalars invariant-culture strings (booleans <c>true</c>/<c>false</c>,
/// date-times RFC 3339 / ISO 8601), the same shape the JSON provider produces so the binder treats both alike.
/// </summary>
internal static class TomlConfigurationParser
{
    public static Dictionary<string, string?> Parse(string toml, string sourceName)
    {
        TomlTable model;
        try
        {
            // Tomlyn's model reader keeps the last of two duplicate keys; TOML says a duplicate is an error, and a
            // silently shadowed setting is exactly the mistake an operator would not find, so validate strictly first.
            // Parsing twice costs well under a millisecond for a configuration file.
            SyntaxParser.ParseStrict(toml, sourceName, validate: true);
            model = TomlSerializer.Deserialize<TomlTable>(toml, new TomlSerializerOptions { SourceName = sourceName })
                ?? new TomlTable();
        }
        catch (TomlException ex)
        {
            throw ToFileException(sourceName, ex);
        }

        var data = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        Flatten(model, prefix: null, data, sourceName);
        return data;
    }

    private static void Flatten(object? value, string? prefix, Dictionary<string, string?> data, string sourceName)
    {
        switch (value)
        {
            case TomlTable table:
                if (table.Count == 0)
                {
                    AddEmpty(prefix, data, sourceName);
                }
                foreach (var (key, child) in table)
                {
                    Flatten(child, Combine(prefix, key), data, sourceName);
                }
                break;
            case TomlTableArray tables:
                if (tables.Count == 0)
                {
                    AddEmpty(prefix, data, sourceName);
                }
                for (var i = 0; i < tables.Count; i++)
                {
                    Flatten(tables[i], Combine(prefix, i.ToString(CultureInfo.InvariantCulture)), data, sourceName);
                }
                break;
            case TomlArray array:
                if (array.Count == 0)
                {
                    AddEmpty(prefix, data, sourceName);
                }
                for (var i = 0; i < array.Count; i++)
                {
                    Flatten(array[i], Combine(prefix, i.ToString(CultureInfo.InvariantCulture)), data, sourceName);
                }
                break;
            default:
                Add(prefix!, FormatScalar(value), data, sourceName);
                break;
        }
    }

    // An empty table or array still shows up as a key with a null value (as in the JSON provider), so the key is
    // visible to "is it configured?" checks while the binder keeps the property's default.
    private static void AddEmpty(string? prefix, Dictionary<string, string?> data, string sourceName)
    {
        if (prefix is not null)
        {
            Add(prefix, null, data, sourceName);
        }
    }

    private static void Add(string key, string? value, Dictionary<string, string?> data, string sourceName)
    {
        // TOML keys are case-sensitive, configuration keys are not: `Port` and `port` would silently overwrite.
        if (!data.TryAdd(key, value))
        {
            throw new ConfigurationFileException(
                sourceName, $"key '{key.Replace(':', '.')}' is defined twice (configuration keys ignore case)");
        }
    }

    private static string Combine(string? prefix, string key) =>
        prefix is null ? key : prefix + ConfigurationPath.KeyDelimiter + key;

    private static string? FormatScalar(object? value) => value switch
    {
        null => null,
        string s => s,
        bool b => b ? "true" : "false",
        long l => l.ToString(CultureInfo.InvariantCulture),
        double d => d.ToString(CultureInfo.InvariantCulture),
        // Tomlyn prints date-times in RFC 3339 form (a profile of ISO 8601) with a 'T' separator.
        TomlDateTime dt => dt.ToString(),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };

    private static ConfigurationFileException ToFileException(string sourceName, TomlException ex)
    {
        if (ex.Diagnostics is { Count: > 0 } diagnostics)
        {
            var first = diagnostics[0];
            foreach (var diagnostic in diagnostics)
            {
                if (diagnostic.Kind == Tomlyn.Syntax.DiagnosticMessageKind.Error)
                {
                    first = diagnostic;
                    break;
                }
            }
            // Tomlyn's positions are zero-based; editors count from 1.
            return new ConfigurationFileException(
                sourceName, "invalid TOML: " + first.Message, first.Span.Start.Line + 1, first.Span.Start.Column + 1, ex);
        }
        return new ConfigurationFileException(sourceName, "invalid TOML: " + ex.Message, ex.Line, ex.Column, ex);
    }
}
