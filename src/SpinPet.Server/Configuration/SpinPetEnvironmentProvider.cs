using System.Collections;
using Microsoft.Extensions.Configuration;

namespace SpinPet.Server.Configuration;

/// <summary>Settings of <see cref="SpinPetEnvironmentSource"/>, with the variable each key came from for messages.</summary>
internal sealed class SpinPetEnvironmentProvider(IDictionary environment) : ConfigurationProvider
{
    private readonly Dictionary<string, string> _variables = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// The variables that set <paramref name="section"/> or a key under it (<c>clustr</c> → <c>SPIN_CLUSTR__MODE</c>,
    /// <c>SPIN_CLUSTR__ROLE</c>), in name order.
    /// </summary>
    public IEnumerable<string> VariablesOf(string section) =>
        _variables.Where(v => v.Key.Equals(section, StringComparison.OrdinalIgnoreCase)
                || v.Key.StartsWith(section + ConfigurationPath.KeyDelimiter, StringComparison.OrdinalIgnoreCase))
            .Select(v => v.Value)
            .Order(StringComparer.Ordinal);

    public override void Load()
    {
        var data = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        _variables.Clear();
        foreach (DictionaryEntry entry in environment)
        {
            if (entry.Key is not string name
                || !name.StartsWith(SpinPetConfiguration.EnvironmentPrefix, StringComparison.OrdinalIgnoreCase)
                || name.Equals(SpinPetConfiguration.EnvironmentNameVariable, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }
            var key = name[SpinPetConfiguration.EnvironmentPrefix.Length..].Replace("__", ConfigurationPath.KeyDelimiter, StringComparison.Ordinal);
            if (key.Length > 0)
            {
                data[key] = entry.Value as string;
                _variables[key] = name;
            }
        }
        Data = data;
    }
}
