using System.Text.Json.Serialization;

namespace SpinPet.Server.Api;

/// <summary>Every REST wire type, serialized by generated code with the snake_case names of rest.md.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(ApiResponse<EventsStatus>))]
[JsonSerializable(typeof(ApiResponse<object>))]
[JsonSerializable(typeof(ApiResponse<KlinePage>))]
[JsonSerializable(typeof(ApiResponse<KlineServiceStatus>))]
[JsonSerializable(typeof(ApiResponse<EventsPage>))]
[JsonSerializable(typeof(ApiResponse<UserEventsPage>))]
[JsonSerializable(typeof(ApiResponse<EventStats>))]
[JsonSerializable(typeof(ApiResponse<MintsPage>))]
[JsonSerializable(typeof(ApiResponse<DetailsPage>))]
[JsonSerializable(typeof(DetailsRequest))]
[JsonSerializable(typeof(ApiResponse<MintOrdersPage>))]
[JsonSerializable(typeof(ApiResponse<UserOrdersPage>))]
[JsonSerializable(typeof(ApiResponse<ServerTime>))]
[JsonSerializable(typeof(ApiResponse<KlineSubscriptions>))]
internal sealed partial class ApiJsonContext : JsonSerializerContext;
