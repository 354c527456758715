using System.Text.Json.Serialization;

namespace SpinPet.KlineClient;

/// <summary>The subscribe request of the /ws protocol.</summary>
internal sealed record SubscribeRequest(string Symbol, string Interval, string SubscriptionId)
{
    public string MsgType => "subscribe";
}

/// <summary>The application-level keepalive; the server answers with <c>pong</c>.</summary>
internal sealed record PingRequest
{
    public string MsgType => "ping";
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(SubscribeRequest))]
[JsonSerializable(typeof(PingRequest))]
internal sealed partial class ClientJsonContext : JsonSerializerContext;
