namespace SpinPet.Server.Api;

/// <summary>The REST envelope of rest.md: <c>{"success","data","message"}</c>, for answers and errors alike.</summary>
internal sealed record ApiResponse<T>(bool Success, T? Data, string Message)
{
    public static ApiResponse<T> Ok(T data) => new(true, data, "Operation successful");
}
