namespace SpinPet.Server.Api;

/// <summary>
/// A request bound to its record, or the refusal: the message that names every bad parameter and its status (400, or
/// 413 for a body over its limit). Validation is a value, never an exception.
/// </summary>
internal readonly record struct Bound<T>(T? Request, string Error, int Status = StatusCodes.Status400BadRequest)
    where T : class
{
    public static implicit operator Bound<T>(T request) => new(request, "");

    public static Bound<T> Refused(string error, int status = StatusCodes.Status400BadRequest) => new(null, error, status);
}
