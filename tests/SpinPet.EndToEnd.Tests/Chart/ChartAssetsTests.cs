using System.Net;
using SpinPet.EndToEnd.Tests.Harness;

namespace SpinPet.EndToEnd.Tests.Chart;

/// <summary>The chart page's files beside the API: served from wwwroot, without taking over /api's 404s or /ws.</summary>
public sealed class ChartAssetsTests(SharedServer shared) : IClassFixture<SharedServer>
{
    [Theory]
    [InlineData("/", "text/html", "<script type=\"module\" src=\"app.js\">")]
    [InlineData("/index.html", "text/html", "<select id=\"token\"")]
    [InlineData("/app.js", "text/javascript", "window.spinpetChart")]
    [InlineData("/volume.js", "text/javascript", "HistogramSeries")]
    [InlineData("/style.css", "text/css", "@media (max-width: 480px)")]
    [InlineData("/vendor/lightweight-charts.mjs", "text/javascript", "TradingView Lightweight Charts")]
    public async Task The_page_and_its_modules_are_served_with_their_types(string path, string type, string content)
    {
        using var response = await shared.Server.Http.GetAsync(path, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(type, response.Content.Headers.ContentType?.MediaType);
        // Revalidated on every load, so a new build is never mixed with a cached old module.
        Assert.Equal("no-cache", response.Headers.CacheControl?.ToString());
        Assert.Contains(content, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Api_routes_keep_their_json_404_and_other_paths_a_plain_404()
    {
        using var api = await shared.Server.Http.GetAsync("/api/no-such-route", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.NotFound, api.StatusCode);
        Assert.Contains("\"success\":false", await api.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        using var apiIndex = await shared.Server.Http.GetAsync("/api/", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.NotFound, apiIndex.StatusCode);
        Assert.Equal("application/json", apiIndex.Content.Headers.ContentType?.MediaType);
        using var missing = await shared.Server.Http.GetAsync("/no-such-file.js", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        // /ws is still the WebSocket endpoint: a plain GET is refused as a bad upgrade, not answered with a file.
        using var ws = await shared.Server.Http.GetAsync("/ws", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.BadRequest, ws.StatusCode);
    }
}
