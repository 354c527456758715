namespace SpinPet.Server.Api;

internal static class ApiFallback
{
    /// <summary>An unknown <c>/api/…</c> route answers 404 with the envelope, not an empty body.</summary>
    public static IEndpointRouteBuilder MapApiFallback(this IEndpointRouteBuilder routes)
    {
        routes.MapFallback("/api/{**path}", (HttpRequest request) =>
                ApiResults.NotFound($"No route {request.Method} {request.Path}: see /docs for the REST API"))
            .ExcludeFromDescription();
        return routes;
    }
}
