using Microsoft.Extensions.Configuration;

namespace SpinPet.Server.Configuration;

/// <summary><c>[security]</c>. Secrets come from the environment (<c>SPIN_SECURITY__ADMIN_API_KEY</c>), never a committed file.</summary>
internal sealed record SecurityOptions
{
    public const string Section = "security";

    /// <summary>Enables the admin routes when set; null or blank leaves them off.</summary>
    [ConfigurationKeyName("admin_api_key")]
    public string? AdminApiKey { get; init; }

    public bool AdminRoutesEnabled => !string.IsNullOrWhiteSpace(AdminApiKey);

    // Records print every property; the key must not reach a log through ToString.
    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append("AdminApiKey = ").Append(AdminRoutesEnabled ? "***" : "(unset)");
        return true;
    }
}
