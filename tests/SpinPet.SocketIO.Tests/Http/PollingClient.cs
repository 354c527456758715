using System.Net;
using System.Text;
using System.Text.Json;

namespace SpinPet.SocketIO.Tests.Http;

/// <summary>A hand-driven Engine.IO long-polling client over HttpClient: handshake, GET, POST, as raw text.</summary>
internal sealed class PollingClient(Uri server) : IDisposable
{
    private readonly string baseUrl = server.ToString().TrimEnd('/');

    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };

    public string Sid { get; private set; } = "";

    public JsonElement Handshake { get; private set; }

    public Uri SessionUrl => new($"{baseUrl}/socket.io/?EIO=4&transport=polling&sid={Sid}");

    /// <summary>GET without sid: the open packet, whose data is kept in <see cref="Handshake"/>.</summary>
    public async Task OpenAsync()
    {
        using var response = await _http.GetAsync(new Uri($"{baseUrl}/socket.io/?EIO=4&transport=polling&t=1"), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        string body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.StartsWith("0{", body, StringComparison.Ordinal);
        using var document = JsonDocument.Parse(body[1..]);
        Handshake = document.RootElement.Clone();
        Sid = Handshake.GetProperty("sid").GetString()!;
    }

    /// <summary>One GET: the packets of the payload (split at 0x1E).</summary>
    public async Task<string[]> GetAsync()
    {
        var ct = TestContext.Current.CancellationToken;
        using var response = await _http.GetAsync(SessionUrl, ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadAsStringAsync(ct)).Split('\u001e');
    }

    /// <summary>GETs until a packet matching <paramref name="match"/> arrives; every packet seen on the way is returned.</summary>
    public async Task<List<string>> GetUntilAsync(Func<string, bool> match)
    {
        var seen = new List<string>();
        while (!seen.Any(match))
        {
            var packets = await GetAsync();
            seen.AddRange(packets);
            Assert.DoesNotContain("1", packets);
        }
        return seen;
    }

    public async Task<HttpResponseMessage> PostAsync(string payload, string contentType = "text/plain;charset=UTF-8")
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(payload));
        content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        return await _http.PostAsync(SessionUrl, content, TestContext.Current.CancellationToken);
    }

    public async Task PostOkAsync(string payload)
    {
        using var response = await PostAsync(payload);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("ok", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    public void Dispose() => _http.Dispose();
}
