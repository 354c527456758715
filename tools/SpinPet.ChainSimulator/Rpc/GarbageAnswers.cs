using System.Buffers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace SpinPet.ChainSimulator.Rpc;

/// <summary>Writes the answers of <see cref="SimulatorFaults.HttpGarbageRate"/>, all with status 200.</summary>
internal static class GarbageAnswers
{
    private static readonly byte[] HtmlPage = Encoding.UTF8.GetBytes(
        "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>\n");

    // One 64 KB block of base64-looking filler, written over and over for an oversize answer.
    private static readonly byte[] Filler = Enumerable.Repeat((byte)'A', 64 * 1024).ToArray();

    public static async Task WriteAsync(HttpContext context, HttpGarbage kind, JsonDocument? document)
    {
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        switch (kind)
        {
            case HttpGarbage.NotJson:
                response.ContentType = "text/html";
                response.ContentLength = HtmlPage.Length;
                await response.Body.WriteAsync(HtmlPage, context.RequestAborted).ConfigureAwait(false);
                break;
            case HttpGarbage.WrongTypes:
                var output = new ArrayBufferWriter<byte>(256);
                using (var writer = new Utf8JsonWriter(output, JsonRpc.WriterOptions))
                {
                    WriteWrongTypes(writer, document);
                }
                response.ContentType = "application/json; charset=utf-8";
                response.ContentLength = output.WrittenCount;
                await response.Body.WriteAsync(output.WrittenMemory, context.RequestAborted).ConfigureAwait(false);
                break;
            default:
                await WriteOversizeAsync(context).ConfigureAwait(false);
                break;
        }
    }

    private static void WriteWrongTypes(Utf8JsonWriter writer, JsonDocument? document)
    {
        var call = default(RpcCall);
        bool single = document is not null && JsonRpc.TryReadCall(document.RootElement, out call);
        JsonRpc.WriteResponseStart(writer);
        writer.WritePropertyName("result");
        switch (single ? call.Method : "")
        {
            case "getTransaction":
                writer.WriteStartObject();
                writer.WriteNumber("blockTime", 1_700_000_000);
                writer.WriteStartObject("meta");
                writer.WriteNull("err");
                writer.WriteString("logMessages", "Program log: logMessages is a string, not an array");
                writer.WriteEndObject();
                writer.WriteNumber("slot", 1);
                writer.WriteEndObject();
                break;
            case "getSignaturesForAddress":
                writer.WriteStartArray();
                writer.WriteStartObject();
                writer.WriteNumber("signature", 42);
                writer.WriteString("slot", "300000000");
                writer.WriteEndObject();
                writer.WriteEndArray();
                break;
            default:
                writer.WriteStringValue("a string where the method's result type belongs");
                break;
        }
        JsonRpc.WriteResponseEnd(writer, single ? call.Id : default);
    }

    /// <summary>Chunked (no Content-Length), so that only a client counting what it reads notices the size.</summary>
    private static async Task WriteOversizeAsync(HttpContext context)
    {
        var response = context.Response;
        response.ContentType = "application/json; charset=utf-8";
        try
        {
            await response.Body.WriteAsync("{\"jsonrpc\":\"2.0\",\"result\":\""u8.ToArray(), context.RequestAborted).ConfigureAwait(false);
            for (int written = 0; written < SimulatorFaults.OversizeAnswerBytes; written += Filler.Length)
            {
                await response.Body.WriteAsync(Filler, context.RequestAborted).ConfigureAwait(false);
            }
            await response.Body.WriteAsync("\",\"id\":null}"u8.ToArray(), context.RequestAborted).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The client stopped reading and closed the connection: what a capped client does.
        }
    }
}
