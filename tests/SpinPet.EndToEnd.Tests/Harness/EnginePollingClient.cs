using System.Text;
using System.Text.Json;

namespace SpinPet.EndToEnd.Tests.Harness;

/// <summary>
/// A hand-driven Engine.IO v4 long-polling client on the server's <c>/socket.io/</c>: the handshake, POSTs of raw
/// packets (joined by 0x1E) and GETs, as text. Driving the packets by hand lets a test stop reading at will.
/// </summary>
internal sealed class EnginePollingClient
{
    private const char Record = '\u001e';

    private readonly HttpClient _http;

    private EnginePollingClient(HttpClient http, string sid)
    {
        _http = http;
        Sid = sid;
    }

    public string Sid { get; }

    private Uri SessionUri => new($"/socket.io/?EIO=4&transport=polling&sid={Sid}", UriKind.Relative);

    /// <summary>The handshake GET; the open packet's <c>sid</c> names the session.</summary>
    public static async Task<EnginePollingClient> OpenAsync(HttpClient http)
    {
        string open = await http.GetStringAsync(new Uri("/socket.io/?EIO=4&transport=polling", UriKind.Relative), TestContext.Current.CancellationToken);
        Assert.StartsWith("0{", open, StringComparison.Ordinal);
        using var handshake = JsonDocument.Parse(open[1..]);
        return new EnginePollingClient(http, handshake.RootElement.GetProperty("sid").GetString()!);
    }

    /// <summary>One POST carrying <paramref name="packets"/>; it must be accepted.</summary>
    public async Task PostAsync(params IEnumerable<string> packets)
    {
        using var content = new StringContent(string.Join(Record, packets), Encoding.UTF8, "text/plain");
        using var response = await _http.PostAsync(SessionUri, content, TestContext.Current.CancellationToken);
        Assert.True(response.IsSuccessStatusCode, $"POST answered {(int)response.StatusCode}");
    }

    /// <summary>GETs until a packet starting with <paramref name="prefix"/> arrives (answering pings); returns it.</summary>
    public async Task<string> GetUntilAsync(string prefix)
    {
        while (true)
        {
            string payload = await _http.GetStringAsync(SessionUri, TestContext.Current.CancellationToken);
            foreach (var packet in payload.Split(Record))
            {
                if (packet.StartsWith(prefix, StringComparison.Ordinal))
                {
                    return packet;
                }
                Assert.NotEqual("1", packet);
                if (packet == "2")
                {
                    await PostAsync("3");
                }
            }
        }
    }
}
