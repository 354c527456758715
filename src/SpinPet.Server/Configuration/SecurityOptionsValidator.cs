using Microsoft.Extensions.Options;

namespace SpinPet.Server.Configuration;

internal sealed class SecurityOptionsValidator : IValidateOptions<SecurityOptions>
{
    // 16 random characters are ~95 bits from a base64 alphabet; shorter keys invite guessing over the network.
    private const int MinKeyLength = 16;

    public ValidateOptionsResult Validate(string? name, SecurityOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new OptionsFailures(SecurityOptions.Section);
        if (options.AdminRoutesEnabled && options.AdminApiKey!.Length < MinKeyLength)
        {
            // The message never repeats the key: it may be printed to a shared console or log.
            failures.Add("admin_api_key", $"is {options.AdminApiKey.Length} characters; use at least {MinKeyLength}");
        }
        return failures.Result();
    }
}
