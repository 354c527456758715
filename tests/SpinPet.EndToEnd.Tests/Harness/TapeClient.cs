using System.Text.Json;
using SpinPet.TestSupport;

namespace SpinPet.EndToEnd.Tests.Harness;

/// <summary>
/// A <c>/ws</c> client of one mint's event stream that records everything: its log (type and data), and its tape, the
/// events in the order received (snapshot, then <c>event_data</c>), each as raw JSON to compare with GET /api/events.
/// </summary>
internal sealed class TapeClient : IAsyncDisposable
{
    private readonly KlineSocketClient _socket;
    private readonly Lock _gate = new();
    private readonly List<(string Type, JsonElement Data)> _log = [];
    private readonly List<string> _tape = [];
    private readonly Task _reader;

    private TapeClient(KlineSocketClient socket)
    {
        _socket = socket;
        _reader = Task.Run(ReadAsync);
    }

    public IReadOnlyList<(string Type, JsonElement Data)> Log
    {
        get
        {
            lock (_gate)
            {
                return [.. _log];
            }
        }
    }

    public IReadOnlyList<string> Tape
    {
        get
        {
            lock (_gate)
            {
                return [.. _tape];
            }
        }
    }

    /// <summary>Connects and subscribes; returns once the snapshot and the confirmation arrived.</summary>
    public static async Task<TapeClient> StartAsync(Uri server, string mint, int limit, (string Epoch, long Seq)? resume = null)
    {
        var socket = await KlineSocketClient.ConnectAsync(server);
        await socket.ReceiveUntilAsync("connection_success");
        var client = new TapeClient(socket);
        string resumeJson = resume is { } r ? $$""","resume":{"epoch":"{{r.Epoch}}","seq":{{r.Seq}}}""" : "";
        await socket.SendAsync($$"""{"msg_type":"subscribe_events","symbol":"{{mint}}","subscription_id":"tape","limit":{{limit}}{{resumeJson}}}""");
        await Eventually.TrueAsync(() => client.Log.Count >= 2, TimeSpan.FromSeconds(30), "the snapshot and the confirmation");
        return client;
    }

    /// <summary>Every event_data: ends with seq and epoch of the snapshot's epoch, seqs never decreasing and not behind the snapshot's.</summary>
    public void AssertLivePositionsInOrder()
    {
        var log = Log;
        var snapshot = log[0].Data;
        long previous = snapshot.GetProperty("seq").GetInt64();
        foreach (var (_, data) in log.Where(m => m.Type == "event_data"))
        {
            Assert.Equal(["event", "seq", "epoch"], data.EnumerateObject().Select(p => p.Name).TakeLast(3));
            Assert.Equal("tape", data.GetProperty("subscription_id").GetString());
            Assert.Equal(data.GetProperty("event").GetProperty("event_type").GetString(), data.GetProperty("event_type").GetString());
            Assert.Equal(snapshot.GetProperty("epoch").GetString(), data.GetProperty("epoch").GetString());
            long seq = data.GetProperty("seq").GetInt64();
            Assert.True(seq >= previous, $"event_data seq {seq} after {previous}");
            previous = seq;
        }
    }

    private async Task ReadAsync()
    {
        while (await _socket.ReceiveAsync(Timeout.InfiniteTimeSpan) is { } message)
        {
            string type = message.GetProperty("type").GetString()!;
            var data = message.GetProperty("data");
            lock (_gate)
            {
                _log.Add((type, data));
                if (type == "history_event_data")
                {
                    _tape.AddRange(data.GetProperty("data").EnumerateArray().Select(e => e.GetRawText()));
                }
                else if (type == "event_data")
                {
                    _tape.Add(data.GetProperty("event").GetRawText());
                }
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _socket.DisposeAfterAsync(_reader);
        try
        {
            await _reader;
        }
        catch (Exception ex) when (ex is System.Net.WebSockets.WebSocketException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
        {
            // The socket was closed under the reader.
        }
    }
}
