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
        failures.Range("port", options.Port, 1, 65_535);
        return failures.Result();
    }
}
