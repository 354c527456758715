using System.Net.Http.Json;
using System.Text.Json;
using SpinPet.EndToEnd.Tests.Harness;
using SpinPet.EndToEnd.Tests.Ingest;
using SpinPet.TestSupport;

namespace SpinPet.EndToEnd.Tests.Operations;

public sealed class CorsAndHealthTests
{
    [Fact]
    public async Task Rest_answers_carry_cors_headers_from_configuration()
    {
        await using (var open = await StartAsync([]))
        {
            Assert.Equal("*", await AllowedOriginAsync(open, "https://anyone.example"));
        }
        await using (var listed = await StartAsync(new() { ["SPIN_CORS__ALLOW_ORIGINS__0"] = "https://app.example" }))
        {
            Assert.Equal("https://app.example", await AllowedOriginAsync(listed, "https://app.example"));
            Assert.Null(await AllowedOriginAsync(listed, "https://evil.example"));
            // A browser's preflight for a POST with a JSON body.
            using var preflight = new HttpRequestMessage(HttpMethod.Options, "/api/details");
            preflight.Headers.Add("Origin", "https://app.example");
            preflight.Headers.Add("Access-Control-Request-Method", "POST");
            preflight.Headers.Add("Access-Control-Request-Headers", "content-type");
            var answer = await listed.Http.SendAsync(preflight, TestContext.Current.CancellationToken);
            Assert.True(answer.IsSuccessStatusCode);
            Assert.Contains("POST", string.Join(",", answer.Headers.GetValues("Access-Control-Allow-Methods")), StringComparison.Ordinal);
        }
        await using (var off = await StartAsync(new() { ["SPIN_CORS__ENABLED"] = "false" }))
        {
            Assert.Null(await AllowedOriginAsync(off, "https://anyone.example"));
        }
    }

    [Fact]
    public async Task Health_goes_degraded_while_the_node_is_down_and_back_to_healthy_when_it_returns()
    {
        await using var simulator = await IngestExactlyOnceTests.StartSimulatorAsync(seed: 61);
        simulator.ProduceTransactions(100);
        using var database = new TempFolder();
        await using var server = await IngestExactlyOnceTests.StartServerAsync(simulator, database.Path);
        await WaitForHealthAsync(server, "healthy");

        simulator.Faults.RefuseConnections = true;
        simulator.Faults.DropAllSockets();
        // The first degraded report can still be the backfill that follows every subscription (seen as a flake on a
        // loaded machine: "backfill running: 0 of 0" before the dropped socket was noticed); wait for the outage itself.
        var degraded = await WaitForHealthAsync(server, "degraded", "unreachable");
        Assert.Contains("unreachable", IngestDescription(degraded), StringComparison.Ordinal);
        // Stored data is still served while the node is down.
        Assert.True((await server.Http.GetAsync("/api/events/status", TestContext.Current.CancellationToken)).IsSuccessStatusCode);

        simulator.Faults.RefuseConnections = false;
        simulator.ProduceTransactions(50);
        await WaitForHealthAsync(server, "healthy");
        await server.WaitForCheckpointAsync(LedgerAssert.NewestSignature(simulator), TimeSpan.FromSeconds(60));
    }

    private static async Task<JsonElement> WaitForHealthAsync(ServerProcess server, string status, string? reason = null)
    {
        JsonElement report = default;
        await Eventually.TrueAsync(async () =>
        {
            var response = await server.Http.GetAsync("/health");
            report = await response.Content.ReadFromJsonAsync<JsonElement>();
            return report.GetProperty("status").GetString() == status
                && (reason is null || IngestDescription(report).Contains(reason, StringComparison.Ordinal));
        }, TimeSpan.FromSeconds(60), $"health {status} {reason}");
        return report;
    }

    private static string IngestDescription(JsonElement report) =>
        report.GetProperty("checks").GetProperty("ingest").GetProperty("description").GetString() ?? "";

    private static async Task<string?> AllowedOriginAsync(ServerProcess server, string origin)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/time");
        request.Headers.Add("Origin", origin);
        var response = await server.Http.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode);
        return response.Headers.TryGetValues("Access-Control-Allow-Origin", out var values) ? values.Single() : null;
    }

    private static Task<ServerProcess> StartAsync(Dictionary<string, string> settings)
    {
        settings["SPIN_DATABASE__ROCKSDB_PATH"] = Path.Combine(Path.GetTempPath(), "spinpet-cors-" + Guid.NewGuid().ToString("N"));
        settings["SPIN_SOLANA__ENABLE_EVENT_LISTENER"] = "false";
        return ServerProcess.StartAsync(settings);
    }
}
