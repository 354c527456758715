using Microsoft.Extensions.Options;

namespace SpinPet.Server.Configuration;

internal sealed class IpfsOptionsValidator : IValidateOptions<IpfsOptions>
{
    public ValidateOptionsResult Validate(string? name, IpfsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new OptionsFailures(IpfsOptions.Section);
        if (options.Enabled
            && !(Uri.TryCreate(options.GatewayUrl, UriKind.Absolute, out var uri)
                && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)))
        {
            failures.Add("gateway_url", $"'{options.GatewayUrl}' is not an absolute http(s) URL");
        }
        return failures.Result();
    }
}
