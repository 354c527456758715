using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using SpinPet.ChainSimulator;
using SpinPet.Core.Events;
using SpinPet.EndToEnd.Tests.Harness;
using SpinPet.TestSupport;

namespace SpinPet.EndToEnd.Tests.Rest;

/// <summary>
/// One simulated chain and one server that has stored all of it (admin key set), shared by the REST tests of a class.
/// The expectations come from the simulator's ledger through <see cref="Expected"/>, which shares no code with the
/// server's derived rows.
/// </summary>
public sealed class RestChain : IAsyncLifetime
{
    public const string AdminKey = "rest-tests-admin-key-0123456789";

    private readonly TempFolder _database = new();

    internal ChainSimulator.ChainSimulator Simulator { get; private set; } = null!;

    internal ServerProcess Server { get; private set; } = null!;

    internal IReadOnlyList<LedgerEvent> Ledger { get; private set; } = [];

    public async ValueTask InitializeAsync()
    {
        Simulator = new ChainSimulator.ChainSimulator(new SimulatorOptions { Seed = 41, MintCount = 6 });
        await Simulator.StartAsync(TestContext.Current.CancellationToken);
        Simulator.ProduceTransactions(2000);
        Ledger = Simulator.ExpectedEvents();
        var settings = ServerProcess.SettingsFor(Simulator.RpcUri, Simulator.WsUri, _database.Path);
        settings["SPIN_SECURITY__ADMIN_API_KEY"] = AdminKey;
        Server = await ServerProcess.StartAsync(settings);
        await Server.WaitForCheckpointAsync(LedgerAssert.NewestSignature(Simulator), TimeSpan.FromSeconds(90));
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        await Simulator.DisposeAsync();
        _database.Dispose();
    }

    /// <summary>GET, asserting 200 and the success envelope; returns <c>data</c>.</summary>
    internal async Task<JsonElement> GetDataAsync(string url)
    {
        var response = await Server.Http.GetAsync(url, TestContext.Current.CancellationToken);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.True(response.IsSuccessStatusCode, $"{url}: {(int)response.StatusCode} {body}");
        Assert.True(body.GetProperty("success").GetBoolean());
        Assert.Equal("Operation successful", body.GetProperty("message").GetString());
        return body.GetProperty("data");
    }

    /// <summary>
    /// Follows <c>next_cursor</c> from the first page to the last, checking that <c>has_next</c> and the cursor agree,
    /// and returns every item of <paramref name="listName"/> in the order served.
    /// </summary>
    internal async Task<List<JsonElement>> WalkAsync(string url, string listName, string cursorName = "cursor", int limit = 37)
    {
        var items = new List<JsonElement>();
        string? cursor = null;
        for (int pages = 0; ; pages++)
        {
            Assert.True(pages < 10_000, "the walk does not end");
            var data = await GetDataAsync($"{url}&limit={limit}" + (cursor is null ? "" : $"&{cursorName}={cursor}"));
            var page = data.GetProperty(listName).EnumerateArray().ToList();
            Assert.True(page.Count <= limit);
            items.AddRange(page);
            bool hasNext = data.GetProperty("has_next").GetBoolean();
            Assert.Equal(cursor is not null, data.GetProperty("has_prev").GetBoolean());
            if (!hasNext)
            {
                Assert.Equal(JsonValueKind.Null, data.GetProperty("next_cursor").ValueKind);
                return items;
            }
            Assert.Equal(limit, page.Count);
            cursor = data.GetProperty("next_cursor").GetString();
            Assert.False(string.IsNullOrEmpty(cursor));
        }
    }

    internal static string Rfc3339(long blockTime) =>
        DateTimeOffset.FromUnixTimeSeconds(blockTime).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    internal static string EventType(SpinPetEvent ev) => ev.Kind.ToString();
}
