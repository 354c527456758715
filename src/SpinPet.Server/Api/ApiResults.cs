using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http.HttpResults;

namespace SpinPet.Server.Api;

/// <summary>
/// Envelope answers (rest.md) as typed results: success with data, or an error with a proper HTTP status. A handler
/// returns <c>Results&lt;JsonHttpResult&lt;ApiResponse&lt;T&gt;&gt;, JsonHttpResult&lt;ApiResponse&lt;object&gt;&gt;&gt;</c>: its
/// page, or an error envelope whatever the status.
/// </summary>
internal static class ApiResults
{
    public static JsonHttpResult<ApiResponse<T>> Ok<T>(T data, JsonTypeInfo<ApiResponse<T>> type) => TypedResults.Json(ApiResponse<T>.Ok(data), type);

    public static JsonHttpResult<ApiResponse<object>> BadRequest(string message) => Error(StatusCodes.Status400BadRequest, message);

    public static JsonHttpResult<ApiResponse<object>> NotFound(string message) => Error(StatusCodes.Status404NotFound, message);

    public static JsonHttpResult<ApiResponse<object>> Error(int status, string message) =>
        TypedResults.Json(new ApiResponse<object>(false, null, message), ApiJsonContext.Default.ApiResponseObject, statusCode: status);
}
