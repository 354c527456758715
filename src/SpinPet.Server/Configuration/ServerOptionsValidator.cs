using Microsoft.Extensions.Options;

namespace SpinPet.Server.Configuration;

internal sealed class ServerOptionsValidator : IValidateOptions<ServerOptions>
{
    public ValidateOptionsResult Validate(string? name, ServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new OptionsFailures(ServerOptions.Section);
        if (string.IsNullOrWhiteSpace(options.Host))
        {
            failures.Add("host", "must not be empty (0.0.0.0 listens on every interface)");
        }
        // 0 asks the OS for a free port (tests, side-by-side instances); the chosen one is logged at start.
        failures.Range("port", options.Port, 0, 65_535);
        return failures.Result();
    }
}
