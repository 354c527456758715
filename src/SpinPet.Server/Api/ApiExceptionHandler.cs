using Microsoft.AspNetCore.Diagnostics;

namespace SpinPet.Server.Api;

/// <summary>
/// The answer of ASP.NET Core's exception handler middleware to an exception nothing else caught (a store that fails
/// under a read, a bug): the REST envelope with 500 and a message that names the request but not the exception (its
/// text may carry paths or data), never an empty body. The exception is logged here, once, with the request; the
/// middleware's own record of it is suppressed (<see cref="Options"/>). A request the server could not read
/// (<see cref="BadHttpRequestException"/>: a body over Kestrel's limit, broken chunking) is the client's: its own 4xx
/// status and message, logged at debug.
/// </summary>
internal sealed partial class ApiExceptionHandler(ILogger<ApiExceptionHandler> logger)
{
    public ExceptionHandlerOptions Options => new()
    {
        ExceptionHandler = HandleAsync,
        SuppressDiagnosticsCallback = static _ => true,
    };

    private Task HandleAsync(HttpContext context)
    {
        var exception = context.Features.Get<IExceptionHandlerFeature>()?.Error;
        var request = context.Request;
        int status;
        string message;
        if (exception is BadHttpRequestException bad)
        {
            status = bad.StatusCode;
            message = bad.Message;
            LogBadRequest(logger, request.Method, request.Path, status, bad.Message);
        }
        else
        {
            status = StatusCodes.Status500InternalServerError;
            message = $"Internal server error while serving {request.Method} {request.Path} (request {context.TraceIdentifier}); the server logged the cause";
            LogUnhandled(logger, exception, request.Method, request.Path, context.TraceIdentifier);
        }
        context.Response.StatusCode = status;
        return context.Response.WriteAsJsonAsync(new ApiResponse<object>(false, null, message), ApiJsonContext.Default.ApiResponseObject,
            cancellationToken: context.RequestAborted);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled exception serving {Method} {Path} (request {RequestId}); answered 500")]
    private static partial void LogUnhandled(ILogger logger, Exception? exception, string method, PathString path, string requestId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Unreadable request {Method} {Path}: answered {Status} ({Reason})")]
    private static partial void LogBadRequest(ILogger logger, string method, PathString path, int status, string reason);
}
