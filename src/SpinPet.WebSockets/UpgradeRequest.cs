namespace SpinPet.WebSockets;

/// <summary>What a server needs of an upgrade request it took (<see cref="UpgradeRequestReader"/>).</summary>
/// <param name="Target">The request target: the path and its query, if any.</param>
/// <param name="Host">The <c>Host</c> field.</param>
/// <param name="Origin">The <c>Origin</c> field; null from a client that is not a browser.</param>
/// <param name="AcceptKey">The <c>Sec-WebSocket-Accept</c> value the answer carries.</param>
/// <param name="Extensions">The <c>Sec-WebSocket-Extensions</c> offers, repeated fields joined as one list; null without any.</param>
/// <param name="HeadLength">Bytes of the request head, its blank line included: what the connection consumes.</param>
public sealed record UpgradeRequest(string Target, string Host, string? Origin, string AcceptKey, string? Extensions, int HeadLength);
