using Microsoft.Extensions.Configuration;

namespace SpinPet.Server.Configuration;

/// <summary>Builds <see cref="SpinPetCommandLineProvider"/> over the configuration arguments of the command line.</summary>
internal sealed class SpinPetCommandLineSource(string[] args) : IConfigurationSource
{
    public IConfigurationProvider Build(IConfigurationBuilder builder) => new SpinPetCommandLineProvider(args);
}
