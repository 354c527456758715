using System.Text.Json.Serialization;

namespace SpinPet.Streaming.Protocol;

[JsonSerializable(typeof(string))]
internal sealed partial class StreamingJsonContext : JsonSerializerContext;
