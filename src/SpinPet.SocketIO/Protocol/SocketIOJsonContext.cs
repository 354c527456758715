using System.Text.Json.Serialization;

namespace SpinPet.SocketIO.Protocol;

/// <summary>The Engine.IO open packet's data (<c>0{…}</c>).</summary>
internal sealed record EngineHandshake(
    [property: JsonPropertyName("sid")] string Sid,
    [property: JsonPropertyName("upgrades")] string[] Upgrades,
    [property: JsonPropertyName("pingInterval")] int PingInterval,
    [property: JsonPropertyName("pingTimeout")] int PingTimeout,
    [property: JsonPropertyName("maxPayload")] int MaxPayload);

/// <summary>An Engine.IO handshake refusal: the body of the HTTP 400/403/503.</summary>
internal sealed record EngineError(
    [property: JsonPropertyName("code")] int Code,
    [property: JsonPropertyName("message")] string Message);

/// <summary>The data of a Socket.IO CONNECT reply (<c>0/kline,{"sid":"…"}</c>).</summary>
internal sealed record ConnectReply([property: JsonPropertyName("sid")] string Sid);

/// <summary>The data of a Socket.IO CONNECT_ERROR (<c>4/other,{"message":"Invalid namespace"}</c>).</summary>
internal sealed record ConnectError([property: JsonPropertyName("message")] string Message);

[JsonSerializable(typeof(EngineHandshake))]
[JsonSerializable(typeof(EngineError))]
[JsonSerializable(typeof(ConnectReply))]
[JsonSerializable(typeof(ConnectError))]
internal sealed partial class SocketIOJsonContext : JsonSerializerContext;
