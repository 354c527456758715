using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using SpinPet.EndToEnd.Tests.Harness;

namespace SpinPet.EndToEnd.Tests.Rest;

/// <summary>Bad parameters get 400 with the envelope and a message naming the parameter; nothing crashes or answers 200.</summary>
public sealed class RestValidationTests(SharedServer shared) : IClassFixture<SharedServer>
{
    private const string Mint = "JBMmrp6jhksqnxDBskkmVvWHhJLaPBjgiMHEroJbUTBZ";

    [Theory]
    [InlineData("/api/events", "mint is required")]
    [InlineData("/api/events?mint=abc", "mint: 'abc' is not a Solana address")]
    // A character outside ASCII: SimpleBase's decoder threw IndexOutOfRangeException on it instead of refusing it.
    [InlineData("/api/events?mint=%C3%A9PNh4a2TYRcWqPfDeCXLYdTjAvB9GBnHTPTDbeyMd3c", "mint: '\u00e9PNh4a2TYRcWqPfDeCXLYdTjAvB9GBnHTPTDbeyMd3c' is not a Solana address")]
    [InlineData("/api/events?mint=" + Mint + "&limit=0", "limit: '0' must be an integer in 1..1000")]
    [InlineData("/api/events?mint=" + Mint + "&limit=1001", "limit: '1001' must be an integer in 1..1000")]
    [InlineData("/api/events?mint=" + Mint + "&page=0", "page: '0' must be an integer in 1..5000")]
    [InlineData("/api/events?mint=" + Mint + "&page=5001&limit=1", "page: '5001' must be an integer in 1..5000")]
    // `page` reaches the first 5,000 rows of a list (page × limit); deeper pages are refused, pointing to the cursor.
    [InlineData("/api/events?mint=" + Mint + "&page=101", "page: page 101 × limit 50 = 5050 rows, more than the 5000 that page reaches; page deeper with before=<next_cursor of the previous page>")]
    [InlineData("/api/events?mint=" + Mint + "&limit=1000&page=6", "page: page 6 × limit 1000 = 6000 rows, more than the 5000 that page reaches")]
    [InlineData("/api/user_event?user=" + Mint + "&limit=1000&page=6", "page: page 6 × limit 1000 = 6000 rows, more than the 5000 that page reaches; page deeper with cursor=<next_cursor of the previous page>")]
    [InlineData("/api/mints?limit=1000&page=6", "page: page 6 × limit 1000 = 6000 rows")]
    [InlineData("/api/mints?sort_by=activity_desc&limit=500&page=11", "page: page 11 × limit 500 = 5500 rows")]
    [InlineData("/api/mint_orders?mint=" + Mint + "&type=up_orders&limit=1000&page=6", "page: page 6 × limit 1000 = 6000 rows")]
    [InlineData("/api/user_orders?user=" + Mint + "&limit=1000&page=6", "page: page 6 × limit 1000 = 6000 rows")]
    [InlineData("/api/kline?mint=" + Mint + "&interval=s1&limit=1000&page=6", "page: page 6 × limit 1000 = 6000 rows, more than the 5000 that page reaches; page deeper with before=<next_before of the previous page> (or from= forward)")]
    [InlineData("/api/events?mint=" + Mint + "&order_by=time", "order_by: 'time' must be one of: slot_asc, slot_desc")]
    [InlineData("/api/events?mint=" + Mint + "&before=%%%", "before: not a cursor of this API")]
    [InlineData("/api/events?mint=" + Mint + "&before=AQ", "before: not a cursor of this API")]
    [InlineData("/api/events?mint=" + Mint + "&before=BwAAAAAR4aMiAAAASAAA", "before: the cursor belongs to another list")]
    [InlineData("/api/events?mint=" + Mint + "&before=AgAAAAAR4aMiAAAAAAAAAA", "before: not a cursor of this list")]
    [InlineData("/api/user_event?user=" + Mint + "&cursor=BAAAAAAR4aMiAAAAAAAAAA", "cursor: not a cursor of this list")]
    [InlineData("/api/events?mint=" + Mint + "&before=AgAAAAAR4aMiAAAAAAAAAA&page=2", "page and before cannot be combined")]
    [InlineData("/api/events?mint=" + Mint + "&before=AgAAAAAR4aMiAAAAAAAAAA&cursor=AgAAAAAR4aMiAAAAAAAAAA", "before and cursor are the same cursor")]
    [InlineData("/api/mints?sort_by=name", "sort_by: 'name' must be one of: slot_desc, slot_asc, activity_desc")]
    [InlineData("/api/mints?limit=x", "limit: 'x' must be an integer")]
    [InlineData("/api/mints?sort_by=slot_asc&cursor=BQAAAAAR4aMiAAAASAAAnGnS-4Tjhfp9fZaR9hvOXD3wB09tIzU2WT9RAWsGvHQ", "cursor: the cursor belongs to another list or sort order")]
    [InlineData("/api/mint_orders?mint=" + Mint, "type is required")]
    [InlineData("/api/mint_orders?type=up_orders", "mint is required")]
    [InlineData("/api/mint_orders?mint=" + Mint + "&type=sideways", "type: 'sideways' must be one of: up_orders, down_orders")]
    [InlineData("/api/user_orders", "user is required")]
    [InlineData("/api/user_orders?user=" + Mint + "&mint=xyz", "mint: 'xyz' is not a Solana address")]
    [InlineData("/api/user_orders?user=" + Mint + "&order_by=slot_desc", "order_by: 'slot_desc' must be one of: start_time_desc, start_time_asc")]
    [InlineData("/api/user_event", "user is required")]
    [InlineData("/api/user_event?user=nope&limit=-1", "user: 'nope' is not a Solana address (base58 of 32 bytes); limit: '-1' must be an integer")]
    [InlineData("/api/user_event?user=" + Mint + "&order_by=start_time_desc", "order_by: 'start_time_desc' must be one of: slot_asc, slot_desc")]
    [InlineData("/api/time?format=%25Y-%25Q", "format: '%Y-%Q' must be one of: all, unix, utc, iso8601, or a strftime pattern; %Q is not a specifier this server supports")]
    [InlineData("/api/time?format=%25Y%25", "format: '%Y%' must be one of: all, unix, utc, iso8601, or a strftime pattern; ends with a lone %")]
    public async Task Invalid_parameters_get_400_with_the_envelope(string url, string message)
    {
        using var response = await shared.Server.Http.GetAsync(url, TestContext.Current.CancellationToken);
        await RestLedgerTests.AssertErrorAsync(response, HttpStatusCode.BadRequest, message);
    }

    [Theory]
    [InlineData("", "mints is required")]
    [InlineData("{}", "mints is required")]
    [InlineData("not json", "The body is not JSON")]
    [InlineData("{\"mints\":\"abc\"}", "The body is not JSON")]
    [InlineData("{\"mints\":[\"\u00e9PNh4a2TYRcWqPfDeCXLYdTjAvB9GBnHTPTDbeyMd3c\"]}", "mints[0]: '\u00e9PNh4a2TYRcWqPfDeCXLYdTjAvB9GBnHTPTDbeyMd3c' is not a Solana address")]
    [InlineData("{\"mints\":[\"abc\",\"" + Mint + "\",null]}", "mints[0]: 'abc' is not a Solana address (base58 of 32 bytes); mints[2]: 'null' is not a Solana address")]
    public async Task Invalid_details_bodies_get_400_with_the_envelope(string body, string message)
    {
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await shared.Server.Http.PostAsync("/api/details", content, TestContext.Current.CancellationToken);
        await RestLedgerTests.AssertErrorAsync(response, HttpStatusCode.BadRequest, message);
    }

    [Fact]
    public async Task More_than_1000_mints_or_an_oversized_body_are_refused()
    {
        var many = Enumerable.Repeat(Mint, 1001).ToArray();
        using var response = await shared.Server.Http.PostAsJsonAsync("/api/details", new { mints = many }, TestContext.Current.CancellationToken);
        await RestLedgerTests.AssertErrorAsync(response, HttpStatusCode.BadRequest, "mints: 1001 addresses, at most 1000 per request");

        using var huge = new StringContent("{\"mints\":[\"" + new string('1', 300_000) + "\"]}", Encoding.UTF8, "application/json");
        using var tooLarge = await shared.Server.Http.PostAsync("/api/details", huge, TestContext.Current.CancellationToken);
        await RestLedgerTests.AssertErrorAsync(tooLarge, HttpStatusCode.RequestEntityTooLarge, "The body is over 262144 bytes");

        var unknown = await shared.Server.Http.PostAsJsonAsync("/api/details", new { mints = new[] { Mint } }, TestContext.Current.CancellationToken);
        var data = (await unknown.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("data");
        Assert.Equal(0, data.GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task Lists_of_an_unknown_user_or_of_all_mints_are_empty_not_errors()
    {
        // An unknown mint on a route about that one mint is a 404 instead (LegacyFieldNamesTests).
        foreach (var url in new[] { $"/api/user_orders?user={Mint}", $"/api/user_event?user={Mint}&mint={Mint}", "/api/mints" })
        {
            var body = await shared.Server.Http.GetFromJsonAsync<JsonElement>(url, TestContext.Current.CancellationToken);
            Assert.True(body.GetProperty("success").GetBoolean(), url);
            Assert.False(body.GetProperty("data").GetProperty("has_next").GetBoolean(), url);
        }
    }

    [Fact]
    public async Task Time_answers_in_every_format()
    {
        var all = (await shared.Server.Http.GetFromJsonAsync<JsonElement>("/api/time", TestContext.Current.CancellationToken)).GetProperty("data");
        long timestamp = all.GetProperty("timestamp").GetInt64();
        Assert.InRange(timestamp, DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 60, DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 60);
        long iso = DateTimeOffset.Parse(all.GetProperty("iso8601").GetString()!, System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeSeconds();
        Assert.InRange(iso, timestamp, timestamp + 1);
        Assert.EndsWith("GMT", all.GetProperty("utc").GetString(), StringComparison.Ordinal);

        var unix = (await shared.Server.Http.GetFromJsonAsync<JsonElement>("/api/time?format=unix", TestContext.Current.CancellationToken)).GetProperty("data");
        Assert.True(unix.TryGetProperty("timestamp", out _));
        Assert.False(unix.TryGetProperty("utc", out _));
        Assert.False(unix.TryGetProperty("iso8601", out _));
    }

    [Fact]
    public async Task Without_a_configured_admin_key_the_admin_route_is_forbidden()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/kline/subscriptions");
        request.Headers.Add("X-Admin-Key", "any-key-at-all-0123456789");
        using var response = await shared.Server.Http.SendAsync(request, TestContext.Current.CancellationToken);
        await RestLedgerTests.AssertErrorAsync(response, HttpStatusCode.Forbidden, "The admin API is disabled");
    }

    [Fact]
    public async Task An_unknown_api_route_is_a_404_with_the_envelope()
    {
        using var response = await shared.Server.Http.GetAsync("/api/no_such_route", TestContext.Current.CancellationToken);
        await RestLedgerTests.AssertErrorAsync(response, HttpStatusCode.NotFound, "No route GET /api/no_such_route");
    }

    [Fact]
    public async Task The_openapi_document_describes_every_route_with_its_envelope_and_the_docs_page_serves()
    {
        var document = await shared.Server.Http.GetFromJsonAsync<JsonElement>("/openapi/v1.json", TestContext.Current.CancellationToken);
        var paths = document.GetProperty("paths");
        foreach (var path in new[] { "/api/events", "/api/events/stats", "/api/mints", "/api/details", "/api/mint_orders", "/api/user_orders", "/api/user_event", "/api/time", "/api/kline/subscriptions" })
        {
            Assert.True(paths.TryGetProperty(path, out _), path);
        }
        var schemas = document.GetProperty("components").GetProperty("schemas");
        var envelope = schemas.GetProperty("ApiResponseOfEventsPage").GetProperty("properties");
        Assert.True(envelope.TryGetProperty("success", out _));
        Assert.True(envelope.TryGetProperty("data", out _));
        Assert.True(envelope.TryGetProperty("message", out _));
        Assert.True(schemas.GetProperty("EventsPage").GetProperty("properties").TryGetProperty("next_cursor", out _));
        Assert.True(paths.GetProperty("/api/details").GetProperty("post").TryGetProperty("requestBody", out _));

        using var docs = await shared.Server.Http.GetAsync("/docs", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, docs.StatusCode);
        Assert.Contains("text/html", docs.Content.Headers.ContentType?.ToString(), StringComparison.Ordinal);
    }
}
