using Microsoft.Extensions.Options;

namespace SpinPet.Server.Configuration;

internal sealed class CorsOptionsValidator : IValidateOptions<CorsOptions>
{
    public ValidateOptionsResult Validate(string? name, CorsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new OptionsFailures(CorsOptions.Section);
        failures.Origins("allow_origins", options.AllowOrigins);
        return failures.Result();
    }
}
