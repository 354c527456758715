using System.Collections.Concurrent;
using SpinPet.WebSockets;

namespace SpinPet.WebSockets.Tests;

/// <summary>What the echo server saw on one connection: the kinds received and how its loop ended.</summary>
internal sealed class ServerSession(WebSocketConnection connection)
{
    private readonly TaskCompletionSource<WebSocketMessage> _end = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public WebSocketConnection Connection { get; } = connection;

    public ConcurrentQueue<WebSocketMessageKind> Received { get; } = new();

    /// <summary>The message that ended the loop (Close or TooLarge), or the exception that did.</summary>
    public Task<WebSocketMessage> End => _end.Task;

    public void Ended(WebSocketMessage message) => _end.TrySetResult(message);

    public void Failed(Exception exception) => _end.TrySetException(exception);

    public async Task<WebSocketMessage> EndAsync() => await End.WaitAsync(TimeSpan.FromSeconds(10));
}
