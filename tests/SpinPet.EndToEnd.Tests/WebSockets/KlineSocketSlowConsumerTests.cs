using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using SpinPet.EndToEnd.Tests.Harness;
using SpinPet.EndToEnd.Tests.Ingest;
using SpinPet.TestSupport;

namespace SpinPet.EndToEnd.Tests.WebSockets;

/// <summary>
/// The slow-consumer policy (docs/protocol.md) against the real server: a client whose outbox passes its bound or
/// whose send stalls is ended, counted and logged once, and frees its connection slot.
/// </summary>
public sealed partial class KlineSocketSlowConsumerTests
{
    [Fact]
    public async Task A_client_that_overflows_its_queue_and_never_reads_is_ended_and_frees_its_connection_slot()
    {
        await using var simulator = await IngestExactlyOnceTests.StartSimulatorAsync(seed: 45);
        simulator.ProduceTransactions(1500);
        using var database = new TempFolder();
        var settings = ServerProcess.SettingsFor(simulator.RpcUri, simulator.WsUri, database.Path);
        // One connection per address: a leaked session would lock this address out for good.
        settings["SPIN_WEBSOCKET__MAX_CONNECTIONS_PER_IP"] = "1";
        await using var server = await ServerProcess.StartAsync(settings);
        await server.WaitForCheckpointAsync(LedgerAssert.NewestSignature(simulator), TimeSpan.FromSeconds(90));
        var mints = ReferenceCandles.Mints(simulator.ExpectedEvents());

        using var stalled = await StalledClient.ConnectAsync(server.BaseUri);
        // The first answers (full history pages) fill the socket buffers and block the writer; everything after
        // them (the rest are answered "rate limited") queues, past the outbox's bound of 1,024 frames.
        for (int i = 0; i < 1300; i++)
        {
            await stalled.SendAsync($"{{\"msg_type\":\"history\",\"symbol\":\"{mints[i % mints.Length]}\",\"interval\":\"s1\",\"limit\":1000}}");
        }
        await Eventually.TrueAsync(async () => (await StatsAsync(server)).GetProperty("slow_consumer_closes").GetInt64() == 1,
            TimeSpan.FromSeconds(30), "the client counted as a slow consumer");

        // The close waits for a send the client never takes; the send timeout (10 s) must end it anyway.
        await Eventually.TrueAsync(async () => (await StatsAsync(server)).GetProperty("active_connections").GetInt64() == 0,
            TimeSpan.FromSeconds(40), "the overflowed client's session ended");
        using var next = await StalledClient.ConnectAsync(server.BaseUri);

        // Caught by the bound and then by the send timeout: still one slow consumer, in the counter and in the log.
        Assert.Equal(1, (await StatsAsync(server)).GetProperty("slow_consumer_closes").GetInt64());
        Assert.Single(SlowConsumerLine().Matches(server.Output));
        Assert.Contains("Closed 1 slow consumer(s)", server.Output, StringComparison.Ordinal);
    }

    internal static async Task<JsonElement> StatsAsync(ServerProcess server) =>
        (await server.Http.GetFromJsonAsync<JsonElement>("/api/kline/status")).GetProperty("data").GetProperty("stats");

    [GeneratedRegex(@"slow consumer\(s\)")]
    private static partial Regex SlowConsumerLine();
}
