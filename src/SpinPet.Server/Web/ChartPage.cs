namespace SpinPet.Server.Web;

/// <summary>
/// The live chart page at <c>/</c>: static files that the build puts in <c>wwwroot/</c> beside the server's dll
/// (web/ sources and the lightweight-charts bundle; target <c>AddChartPage</c> in SpinPet.Server.csproj).
/// </summary>
internal static class ChartPage
{
    /// <summary>
    /// Beside the dll, not under the content root: the content root is the working directory (the repository root
    /// under <c>dotnet run</c>, for <c>config/</c>), while the build copies the page next to the binaries — for
    /// <c>dotnet run</c>, for the copies of the server in test output folders and for <c>dotnet publish</c> alike.
    /// </summary>
    public static string WebRoot { get; } = Path.Combine(AppContext.BaseDirectory, "wwwroot");

    /// <summary>
    /// <c>/</c> → <c>index.html</c>, then the files themselves. Both middlewares step aside when routing already
    /// chose an endpoint, so <c>/api/…</c> (and its 404 fallback), <c>/ws</c>, <c>/health</c> and <c>/docs</c> are
    /// unaffected. Files are revalidated on each load (ETag), so a new build is seen without a stale script.
    /// </summary>
    public static WebApplication UseChartPage(this WebApplication app)
    {
        if (!File.Exists(Path.Combine(app.Environment.WebRootPath ?? WebRoot, "index.html")))
        {
            // A build without web/ (or with npm unavailable the build fails instead): say so rather than 404.
            app.MapGet("/", () => "SpinPet K-line server (the chart page is not built: see web/)").ExcludeFromDescription();
            return app;
        }
        app.UseDefaultFiles();
        app.UseStaticFiles(new StaticFileOptions
        {
            OnPrepareResponse = static context => context.Context.Response.Headers.CacheControl = "no-cache",
        });
        return app;
    }
}
