using System.Collections;
using Microsoft.Extensions.Configuration;

namespace SpinPet.Server.Configuration;

/// <summary>
/// The <c>SPIN_</c>-prefixed environment variables: <c>SPIN_SECTION__KEY=value</c> → <c>SECTION:KEY</c>. Read from a
/// dictionary rather than the built-in provider so tests can inject an environment without mutating the process's,
/// and kept apart from the host's own sources so their sections can be checked (<see cref="ConfigurationSourcesValidator"/>).
/// </summary>
internal sealed class SpinPetEnvironmentSource(IDictionary environment) : IConfigurationSource
{
    public IConfigurationProvider Build(IConfigurationBuilder builder) => new SpinPetEnvironmentProvider(environment);
}
