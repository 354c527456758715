using Microsoft.Extensions.Configuration.CommandLine;

namespace SpinPet.Server.Configuration;

/// <summary>
/// The <c>--section:key=value</c> arguments, as the stock command-line provider reads them, in a type of their own so
/// that <see cref="ConfigurationSourcesValidator"/> can tell them from the host's copy of the same arguments.
/// </summary>
internal sealed class SpinPetCommandLineProvider(IEnumerable<string> args) : CommandLineConfigurationProvider(args);
