using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace SpinPet.ChainSimulator.Tests.Support;

/// <summary>A bare JSON-RPC client over a real HttpClient, to look at exactly what the simulator sends.</summary>
internal sealed class RpcTestClient(Uri uri) : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = uri, Timeout = TimeSpan.FromSeconds(20) };
    private int _nextId;

    public async Task<JsonElement> CallAsync(string method, params object?[] parameters)
    {
        using var response = await PostAsync(Request(method, parameters));
        response.EnsureSuccessStatusCode();
        using var document = JsonDocument.Parse(await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));
        return document.RootElement.Clone();
    }

    /// <summary>The <c>result</c> of a call that must succeed.</summary>
    public async Task<JsonElement> ResultAsync(string method, params object?[] parameters)
    {
        var response = await CallAsync(method, parameters);
        Assert.False(response.TryGetProperty("error", out var error), $"{method} failed: {error}");
        return response.GetProperty("result");
    }

    /// <summary>The <c>error</c> of a call that must fail.</summary>
    public async Task<(int Code, string Message)> ErrorAsync(string method, params object?[] parameters)
    {
        var response = await CallAsync(method, parameters);
        Assert.True(response.TryGetProperty("error", out var error), $"{method} should fail but returned {response}");
        return (error.GetProperty("code").GetInt32(), error.GetProperty("message").GetString()!);
    }

    public string Request(string method, params object?[] parameters) =>
        JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["jsonrpc"] = "2.0",
            ["id"] = Interlocked.Increment(ref _nextId),
            ["method"] = method,
            ["params"] = parameters,
        });

    public Task<HttpResponseMessage> PostAsync(string body)
    {
        var content = new StringContent(body, Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return _http.PostAsync(new Uri("/", UriKind.Relative), content, TestContext.Current.CancellationToken);
    }

    public void Dispose() => _http.Dispose();
}
