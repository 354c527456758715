using System.Text.Json.Serialization;

namespace SpinPet.Server.Api;

/// <summary>Every REST wire type, serialized by generated code with the snake_case names of rest.md.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(ApiResponse<EventsStatus>))]
[JsonSerializable(typeof(ApiResponse<object>))]
[JsonSerializable(typeof(ApiResponse<KlinePage>))]
[JsonSerializable(typeof(ApiResponse<KlineServiceStatus>))]
internal sealed partial class ApiJsonContext : JsonSerializerContext;
