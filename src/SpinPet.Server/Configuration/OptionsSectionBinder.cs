using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace SpinPet.Server.Configuration;

/// <summary>
/// Binds one configuration section onto an options record, with three fixes over a bare <c>Bind</c>:
/// a value of the wrong type (<c>port = "abc"</c>) and an unknown key (a typo such as <c>max_conections</c>) become
/// <c>section.key: …</c> validation failures instead of a binder exception or a silently ignored setting, and a
/// configured list replaces the property's default list instead of being appended to it (the binder appends).
/// </summary>
internal static class OptionsSectionBinder
{
    /// <param name="rejectUnknownKeys">
    /// False for a section shared with another reader, where keys this record does not know are someone else's.
    /// </param>
    public static void Bind<TOptions>(IConfiguration configuration, string section, TOptions target, bool rejectUnknownKeys = true)
        where TOptions : class
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(target);

        var config = configuration.GetSection(section);
        var properties = BindableProperties(typeof(TOptions));
        var failures = new List<string>();
        var listsToReplace = new List<PropertyInfo>();
        foreach (var child in config.GetChildren())
        {
            if (!properties.TryGetValue(child.Key, out var property))
            {
                if (!rejectUnknownKeys)
                {
                    continue;
                }
                failures.Add($"{section}.{child.Key.ToLowerInvariant()}: unknown key (known keys: {string.Join(", ", properties.Keys)})");
                continue;
            }
            var key = $"{section}.{KeyOf(property)}";
            if (property.PropertyType.IsArray)
            {
                CheckList(key, child, failures);
                listsToReplace.Add(property);
            }
            else if (Problem(child, property.PropertyType) is { } problem)
            {
                failures.Add($"{key}: {problem}");
            }
        }
        if (failures.Count > 0)
        {
            // Thrown from the options factory, this joins the other sections' failures under ValidateOnStart.
            throw new OptionsValidationException(Options.DefaultName, typeof(TOptions), failures);
        }

        foreach (var property in listsToReplace)
        {
            property.SetValue(target, Array.CreateInstance(property.PropertyType.GetElementType()!, 0));
        }
        config.Bind(target);
    }

    /// <summary>Configuration key → settable public property (by <see cref="ConfigurationKeyNameAttribute"/>).</summary>
    private static Dictionary<string, PropertyInfo> BindableProperties(Type type)
    {
        var properties = new Dictionary<string, PropertyInfo>(StringComparer.OrdinalIgnoreCase);
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.SetMethod is { IsPublic: true })
            {
                properties[KeyOf(property)] = property;
            }
        }
        return properties;
    }

    private static string KeyOf(PropertyInfo property) =>
        property.GetCustomAttribute<ConfigurationKeyNameAttribute>()?.Name ?? property.Name;

    private static void CheckList(string key, IConfigurationSection list, List<string> failures)
    {
        if (list.Value is not null)
        {
            // A scalar where a list belongs, typically SPIN_KLINE__INTERVALS=s1,m1 from the environment.
            failures.Add($"{key}: expected a list; in the environment set one variable per item " +
                $"(SPIN_{key.Replace(".", "__", StringComparison.Ordinal).ToUpperInvariant()}__0, __1, …)");
        }
    }

    /// <summary>Why <paramref name="value"/> cannot be read as <paramref name="type"/>, or null if it can.</summary>
    private static string? Problem(IConfigurationSection value, Type type)
    {
        var text = value.Value;
        if (text is null)
        {
            // An empty table or array (or a table where a value belongs) leaves nothing to bind.
            return value.GetChildren().Any() ? "expected a single value, found a table or list" : null;
        }
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type == typeof(string))
        {
            return null;
        }
        if (type == typeof(bool))
        {
            return bool.TryParse(text, out _) ? null : $"'{text}' must be true or false";
        }
        if (type == typeof(int))
        {
            return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out _) ? null
                : long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out _)
                    ? string.Create(CultureInfo.InvariantCulture, $"{text} is out of range {int.MinValue}..{int.MaxValue}")
                    : $"'{text}' is not an integer";
        }
        if (type == typeof(long))
        {
            return long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out _) ? null : $"'{text}' is not an integer";
        }
        if (type == typeof(ulong))
        {
            return ulong.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out _) ? null
                : long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out _)
                    ? string.Create(CultureInfo.InvariantCulture, $"{text} is out of range 0..{ulong.MaxValue}")
                    : $"'{text}' is not an integer";
        }
        if (type == typeof(double))
        {
            return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out _) ? null : $"'{text}' is not a number";
        }
        if (type.IsEnum)
        {
            // Names only: the binder would also take "1" or "sol, token", which no operator means.
            var names = Enum.GetNames(type);
            return Array.Exists(names, n => n.Equals(text.Trim(), StringComparison.OrdinalIgnoreCase)) ? null
                : $"'{text}' must be {JoinAlternatives(names)}";
        }
        return null;
    }

    private static string JoinAlternatives(string[] names)
    {
        var lower = Array.ConvertAll(names, n => n.ToLowerInvariant());
        return lower.Length == 1 ? lower[0] : string.Join(", ", lower[..^1]) + " or " + lower[^1];
    }
}
