using System.Globalization;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;

namespace SpinPet.Server.Api;

/// <summary>
/// <c>GET /api/time?format=</c>: the server's clock. <c>all</c> (the default), <c>unix</c>, <c>utc</c> and
/// <c>iso8601</c> pick fields; anything else is a strftime pattern applied to <c>local</c>, as the earlier server did
/// (rest-legacy.md); an invalid one is a 400.
/// </summary>
internal static class TimeEndpoint
{
    private static readonly string[] Fields = ["all", "unix", "utc", "iso8601"];

    public static IEndpointRouteBuilder MapTime(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/api/time", (HttpRequest request, TimeProvider time) => Handle(request.Query, time))
            .WithName("GetTime")
            .WithSummary("The server's time: unix seconds, RFC 1123 UTC, local time and ISO 8601; format picks one field, or is a strftime pattern for local.")
            .Produces<ApiResponse<ServerTime>>()
            .Produces<ApiResponse<object>>(StatusCodes.Status400BadRequest);
        return routes;
    }

    private static Results<JsonHttpResult<ApiResponse<ServerTime>>, JsonHttpResult<ApiResponse<object>>> Handle(IQueryCollection query, TimeProvider time)
    {
        var q = new QueryParameters(query);
        var format = q.Text("format") ?? "all";
        var now = time.GetUtcNow();
        var local = TimeZoneInfo.ConvertTime(now, time.LocalTimeZone);
        bool field = Fields.Contains(format, StringComparer.Ordinal);
        if (!Strftime.TryFormat(field ? Strftime.DefaultLocal : format, local, out var localText, out var problem))
        {
            return ApiResults.BadRequest($"format: '{Shorten(format)}' must be one of: {string.Join(", ", Fields)}, or a strftime pattern; {problem}");
        }
        bool all = !field || format == "all";
        var result = new ServerTime(
            all || format == "unix" ? now.ToUnixTimeSeconds() : null,
            all || format == "utc" ? now.ToString("R", CultureInfo.InvariantCulture) : null,
            all ? localText : null,
            all || format == "iso8601" ? now.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture) : null);
        return ApiResults.Ok(result, ApiJsonContext.Default.ApiResponseServerTime);
    }

    // Echoing a 1 MB parameter back would turn a 400 into an amplifier.
    private static string Shorten(string text) => text.Length <= 64 ? text : text[..64] + "…";
}

/// <summary>The server's clock; with a <c>format</c> field name only that field is present.</summary>
internal sealed record ServerTime(
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? Timestamp,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Utc,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Local,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Iso8601);
