using Microsoft.Extensions.Options;

namespace SpinPet.Server.Configuration;

internal sealed class LoggingOptionsValidator : IValidateOptions<LoggingOptions>
{
    public ValidateOptionsResult Validate(string? name, LoggingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new OptionsFailures(LoggingOptions.Section);
        if (!LoggingOptions.TryParseLevel(options.Level, out _))
        {
            failures.Add("level", $"'{options.Level}' must be trace, debug, info, warn, error, critical or none");
        }
        if (!Enum.IsDefined(options.Format))
        {
            failures.Add("format", "must be text or json");
        }
        return failures.Result();
    }
}
