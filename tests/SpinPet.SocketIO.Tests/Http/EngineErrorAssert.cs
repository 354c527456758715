using System.Net;
using System.Text.Json;

namespace SpinPet.SocketIO.Tests.Http;

internal static class EngineErrorAssert
{
    /// <summary>The reference server's refusal: the status and <c>{"code":N,"message":"…"}</c>.</summary>
    public static async Task IsAsync(HttpResponseMessage response, HttpStatusCode status, int code, string? message = null)
    {
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"expected {status}, got {response.StatusCode}: {body}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var document = JsonDocument.Parse(body);
        Assert.Equal(code, document.RootElement.GetProperty("code").GetInt32());
        if (message is not null)
        {
            Assert.Equal(message, document.RootElement.GetProperty("message").GetString());
        }
    }
}
