using System.Buffers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using SpinPet.ChainSimulator.Chain;

namespace SpinPet.ChainSimulator.Rpc;

/// <summary>
/// The HTTP side of the node: <c>POST /</c> with a JSON-RPC call or batch, <c>GET /health</c>. Injects the
/// configured HTTP faults (delay, 429 with Retry-After, 5xx) after reading the request, as a rate-limiting proxy
/// in front of a node would.
/// </summary>
internal sealed class RpcHandler
{
    private const string UnknownMethod = "(unknown)";

    private static readonly JsonElement NoId = default;

    private readonly RpcMethods _methods;
    private readonly SimulatorStats _stats;
    private readonly SimulatorFaults _faults;

    public RpcHandler(SimulatorOptions options, Ledger ledger, SimulatorStats stats, SimulatorFaults faults)
    {
        _methods = new RpcMethods(options, ledger, faults, stats);
        _stats = stats;
        _faults = faults;
    }

    public async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var response = context.Response;
        if (HttpMethods.IsGet(request.Method) && request.Path == "/health")
        {
            response.ContentType = "text/plain";
            await response.WriteAsync("ok", context.RequestAborted).ConfigureAwait(false);
            return;
        }
        if (!HttpMethods.IsPost(request.Method))
        {
            await PlainAsync(context, StatusCodes.Status405MethodNotAllowed, "Used HTTP Method is not allowed. POST or OPTIONS is required").ConfigureAwait(false);
            return;
        }
        if (request.ContentType is null || !request.ContentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
        {
            await PlainAsync(context, StatusCodes.Status415UnsupportedMediaType, "Supplied content type is not allowed. Content-Type: application/json is required").ConfigureAwait(false);
            return;
        }

        byte[] body;
        try
        {
            using var buffer = new MemoryStream();
            await request.Body.CopyToAsync(buffer, context.RequestAborted).ConfigureAwait(false);
            body = buffer.ToArray();
        }
        catch (BadHttpRequestException exception)
        {
            await PlainAsync(context, exception.StatusCode, exception.Message).ConfigureAwait(false);
            return;
        }

        JsonDocument? document = null;
        try
        {
            document = JsonDocument.Parse(body, JsonRpc.ReaderOptions);
        }
        catch (JsonException)
        {
            // Answered below as a parse error, after the faults had their chance.
        }

        using (document)
        {
            CountCalls(document);
            if (!await PassFaultsAsync(context, document).ConfigureAwait(false))
            {
                return;
            }
            if (_faults.NextHttpGarbage() is { } garbage)
            {
                _stats.HttpGarbageSent();
                await GarbageAnswers.WriteAsync(context, garbage, document).ConfigureAwait(false);
                return;
            }
            var output = new ArrayBufferWriter<byte>(512);
            using (var writer = new Utf8JsonWriter(output, JsonRpc.WriterOptions))
            {
                WriteResponse(writer, document);
            }
            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = "application/json; charset=utf-8";
            response.ContentLength = output.WrittenCount;
            await response.Body.WriteAsync(output.WrittenMemory, context.RequestAborted).ConfigureAwait(false);
        }
    }

    private void WriteResponse(Utf8JsonWriter writer, JsonDocument? document)
    {
        if (document is null)
        {
            JsonRpc.WriteErrorResponse(writer, new RpcError(JsonRpc.ParseError, "Parse error"), NoId);
            return;
        }
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Array)
        {
            WriteCall(writer, root);
            return;
        }
        if (root.GetArrayLength() == 0)
        {
            JsonRpc.WriteErrorResponse(writer, new RpcError(JsonRpc.InvalidRequest, "Invalid request"), NoId);
            return;
        }
        writer.WriteStartArray();
        foreach (var element in root.EnumerateArray())
        {
            WriteCall(writer, element);
        }
        writer.WriteEndArray();
    }

    private void WriteCall(Utf8JsonWriter writer, JsonElement element)
    {
        if (!JsonRpc.TryReadCall(element, out var call))
        {
            JsonRpc.WriteErrorResponse(writer, new RpcError(JsonRpc.InvalidRequest, "Invalid request"), call.Id);
            return;
        }
        JsonRpc.WriteResponseStart(writer);
        RpcError? error = _methods.Table.TryGetValue(call.Method, out var method)
            ? method(call.Params, writer)
            : new RpcError(JsonRpc.MethodNotFound, "Method not found");
        if (error is { } failure)
        {
            JsonRpc.WriteError(writer, failure);
        }
        JsonRpc.WriteResponseEnd(writer, call.Id);
    }

    private void CountCalls(JsonDocument? document)
    {
        if (document is null)
        {
            _stats.HttpRequest(UnknownMethod);
            return;
        }
        var root = document.RootElement;
        if (root.ValueKind == JsonValueKind.Array)
        {
            foreach (var element in root.EnumerateArray())
            {
                CountCall(element);
            }
        }
        else
        {
            CountCall(root);
        }
    }

    private void CountCall(JsonElement element)
    {
        bool known = JsonRpc.TryReadCall(element, out var call) && _methods.Table.ContainsKey(call.Method);
        // Unknown names are lumped together so that hostile input cannot grow the table.
        _stats.HttpRequest(known ? call.Method : UnknownMethod);
    }

    /// <summary>Applies the delay and error faults; false when the request was answered with an injected error.</summary>
    private async Task<bool> PassFaultsAsync(HttpContext context, JsonDocument? document)
    {
        var delay = _faults.ResponseDelay;
        if (delay > TimeSpan.Zero)
        {
            try
            {
                await Task.Delay(delay, context.RequestAborted).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return false;
            }
        }
        if (IsCallOf(document, "getSignaturesForAddress") && _faults.ShouldFailSignatureListing())
        {
            _stats.HttpErrorInjected();
            await PlainAsync(context, StatusCodes.Status503ServiceUnavailable, "Service Unavailable").ConfigureAwait(false);
            return false;
        }
        if (!_faults.ShouldFailHttpRequest())
        {
            return true;
        }
        _stats.HttpErrorInjected();
        int status = _faults.HttpErrorStatus;
        if (status != StatusCodes.Status429TooManyRequests)
        {
            await PlainAsync(context, status, ReasonPhrases.GetReasonPhrase(status)).ConfigureAwait(false);
            return false;
        }
        context.Response.Headers.RetryAfter = _faults.RetryAfterHeader();
        var output = new ArrayBufferWriter<byte>(160);
        using (var writer = new Utf8JsonWriter(output, JsonRpc.WriterOptions))
        {
            var id = document is not null && document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("id", out var requestId) ? requestId : NoId;
            // What rate-limited public endpoints send: a JSON-RPC error whose code is the HTTP status.
            JsonRpc.WriteErrorResponse(writer, new RpcError(StatusCodes.Status429TooManyRequests, "Too many requests for a specific RPC call"), id);
        }
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        context.Response.ContentLength = output.WrittenCount;
        await context.Response.Body.WriteAsync(output.WrittenMemory, context.RequestAborted).ConfigureAwait(false);
        return false;
    }

    private static bool IsCallOf(JsonDocument? document, string method) =>
        document is not null && JsonRpc.TryReadCall(document.RootElement, out var call) && call.Method == method;

    private static Task PlainAsync(HttpContext context, int status, string text)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        byte[] bytes = Encoding.UTF8.GetBytes(text);
        context.Response.ContentLength = bytes.Length;
        return context.Response.Body.WriteAsync(bytes, context.RequestAborted).AsTask();
    }
}
