using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using System.Text.Json.Serialization;

namespace SpinPet.Server.Api;

/// <summary><c>GET /api/time?format=all|unix|utc|iso8601</c>: the server's clock; an unknown format is a 400.</summary>
internal static class TimeEndpoint
{
    public static IEndpointRouteBuilder MapTime(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/api/time", (HttpRequest request, TimeProvider time) => Handle(request.Query, time))
            .WithName("GetTime")
            .WithSummary("The server's time: unix seconds, RFC 1123 UTC and ISO 8601; format picks one (default all).")
            .Produces<ApiResponse<ServerTime>>()
            .Produces<ApiResponse<object>>(StatusCodes.Status400BadRequest);
        return routes;
    }

    private static Results<JsonHttpResult<ApiResponse<ServerTime>>, JsonHttpResult<ApiResponse<object>>> Handle(IQueryCollection query, TimeProvider time)
    {
        var q = new QueryParameters(query);
        var format = q.Choice("format", "all", "all", "unix", "utc", "iso8601");
        if (q.Problems.Count > 0)
        {
            return ApiResults.BadRequest(q.Error);
        }
        var now = time.GetUtcNow();
        bool all = format == "all";
        var result = new ServerTime(
            all || format == "unix" ? now.ToUnixTimeSeconds() : null,
            all || format == "utc" ? now.ToString("R", CultureInfo.InvariantCulture) : null,
            all || format == "iso8601" ? now.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture) : null);
        return ApiResults.Ok(result, ApiJsonContext.Default.ApiResponseServerTime);
    }
}

/// <summary>The server's clock; with a <c>format</c> only that field is present.</summary>
internal sealed record ServerTime(
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? Timestamp,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Utc,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Iso8601);
