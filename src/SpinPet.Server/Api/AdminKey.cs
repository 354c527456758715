using System.Security.Cryptography;
using Microsoft.AspNetCore.Http.HttpResults;
using System.Text;
using SpinPet.Server.Configuration;

namespace SpinPet.Server.Api;

/// <summary>
/// The admin routes' gate (<c>security.admin_api_key</c>): 403 when no key is configured (the admin API is off), 401
/// when the request carries no key or a wrong one, in <c>X-Admin-Key</c> or <c>Authorization: Bearer</c>.
/// </summary>
internal static class AdminKey
{
    public static JsonHttpResult<ApiResponse<object>>? Refusal(HttpRequest request, SecurityOptions security)
    {
        if (!security.AdminRoutesEnabled)
        {
            return ApiResults.Error(StatusCodes.Status403Forbidden, "The admin API is disabled: set security.admin_api_key (SPIN_SECURITY__ADMIN_API_KEY) to enable it");
        }
        var presented = Presented(request);
        if (presented is null || !Matches(presented, security.AdminApiKey!))
        {
            request.HttpContext.Response.Headers.WWWAuthenticate = "Bearer";
            return ApiResults.Error(StatusCodes.Status401Unauthorized,
                presented is null ? "Admin API key required: send it in X-Admin-Key or Authorization: Bearer" : "Invalid admin API key");
        }
        return null;
    }

    private static string? Presented(HttpRequest request)
    {
        if (request.Headers.TryGetValue("X-Admin-Key", out var header) && !string.IsNullOrEmpty(header[0]))
        {
            return header[0];
        }
        string? authorization = request.Headers.Authorization;
        return authorization is not null && authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
            ? authorization["Bearer ".Length..].Trim()
            : null;
    }

    /// <summary>Compares hashes in constant time: neither the key's bytes nor its length leak through timing.</summary>
    private static bool Matches(string presented, string expected) =>
        CryptographicOperations.FixedTimeEquals(
            SHA256.HashData(Encoding.UTF8.GetBytes(presented)),
            SHA256.HashData(Encoding.UTF8.GetBytes(expected)));
}
