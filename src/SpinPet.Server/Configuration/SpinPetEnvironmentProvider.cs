using System.Collections;
using Microsoft.Extensions.Configuration;

namespace SpinPet.Server.Configuration;

/// <summary>Settings of <see cref="SpinPetEnvironmentSource"/>, with the variable each key came from for messages.</summary>
internal sealed class SpinPetEnvironmentProvider(IDictionary environment) : ConfigurationProvider
{
    private readonly Dictionary<string, string> _variables = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The variable that set a configuration key (<c>clustr:mode</c> → <c>SPIN_CLUSTR__MODE</c>).</summary>
    public string VariableOf(string key) => _variables.TryGetValue(key, out var name) ? name : key;

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
