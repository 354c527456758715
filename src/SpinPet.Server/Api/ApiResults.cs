using System.Text.Json.Serialization.Metadata;

namespace SpinPet.Server.Api;

/// <summary>Envelope answers (rest.md): success with data, or an error with a proper HTTP status.</summary>
internal static class ApiResults
{
    public static IResult Ok<T>(T data, JsonTypeInfo<ApiResponse<T>> type) => TypedResults.Json(ApiResponse<T>.Ok(data), type);

    public static IResult BadRequest(string message) => Error(StatusCodes.Status400BadRequest, message);

    public static IResult NotFound(string message) => Error(StatusCodes.Status404NotFound, message);

    public static IResult Error(int status, string message) =>
        TypedResults.Json(new ApiResponse<object>(false, null, message), ApiJsonContext.Default.ApiResponseObject, statusCode: status);
}
