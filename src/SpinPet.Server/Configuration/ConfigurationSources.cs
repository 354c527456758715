namespace SpinPet.Server.Configuration;

/// <summary>
/// The SpinPet configuration sources as a whole (config/*.toml, <c>SPIN_</c> variables, <c>--section:key</c>
/// arguments), validated at start like an options record by <see cref="ConfigurationSourcesValidator"/>: every section
/// they name must be one the server reads. Each section's keys are checked by its own record's binder.
/// </summary>
internal sealed class ConfigurationSources;
