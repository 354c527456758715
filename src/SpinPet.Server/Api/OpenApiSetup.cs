using Scalar.AspNetCore;

namespace SpinPet.Server.Api;

/// <summary>
/// The generated OpenAPI document of the REST API (<c>/openapi/v1.json</c>) and an interactive reference page over it
/// (<c>/docs</c>). Endpoints declare their envelopes with <c>Produces&lt;ApiResponse&lt;T&gt;&gt;</c>; the schemas come from
/// <see cref="ApiJsonContext"/>, so they carry the snake_case names actually sent.
/// </summary>
internal static class OpenApiSetup
{
    public static IServiceCollection AddSpinPetOpenApi(this IServiceCollection services)
    {
        services.AddOpenApi("v1", options =>
        {
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info.Title = "SpinPet K-line server";
                document.Info.Description =
                    "REST API of the SpinPet K-line server (docs/rest.md). Every answer is the envelope {success, data, message}; " +
                    "errors use it too, with a proper HTTP status. u64 amounts and u128 prices are decimal strings.";
                return Task.CompletedTask;
            });
            // Events are written without a "$type" member (their event_type field says what they are), so the
            // discriminator the generator infers from the derived types would document a field that is never sent.
            options.AddSchemaTransformer((schema, context, _) =>
            {
                if (context.JsonTypeInfo.Type == typeof(EventJson))
                {
                    schema.Discriminator = null;
                }
                return Task.CompletedTask;
            });
        });
        // Schema generation reads names and number handling from the HTTP JSON options, not from the context that writes
        // the answers (every endpoint passes ApiJsonContext's type info explicitly). Make them agree with the wire:
        // snake_case, numbers as numbers (the web default would document every integer as "integer or string").
        services.ConfigureHttpJsonOptions(options =>
        {
            options.SerializerOptions.PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.SnakeCaseLower;
            options.SerializerOptions.NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.Strict;
            options.SerializerOptions.TypeInfoResolverChain.Insert(0, ApiJsonContext.Default);
        });
        return services;
    }

    public static IEndpointRouteBuilder MapSpinPetOpenApi(this IEndpointRouteBuilder routes)
    {
        routes.MapOpenApi("/openapi/{documentName}.json");
        routes.MapScalarApiReference("/docs", options => options
            .WithTitle("SpinPet K-line server API")
            .WithOpenApiRoutePattern("/openapi/{documentName}.json"));
        return routes;
    }
}
