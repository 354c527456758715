using Microsoft.Extensions.Logging;

namespace SpinPet.SocketIO;

internal static partial class SocketIOLog
{
    [LoggerMessage(Level = LogLevel.Debug, Message = "Engine.IO session {Sid} opened over {Transport} from {Address}")]
    public static partial void SessionOpened(ILogger logger, string sid, string transport, string address);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Engine.IO session {Sid} closed: {Reason}")]
    public static partial void SessionClosed(ILogger logger, string sid, SocketIODisconnectReason reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Engine.IO session {Sid} upgraded to websocket")]
    public static partial void SessionUpgraded(ILogger logger, string sid);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Engine.IO request refused ({Status}, code {Code}: {Message}) from {Address}")]
    public static partial void RequestRefused(ILogger logger, int status, int code, string message, string address);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Socket.IO: {Problem} from {Address} (session {Sid}): {Excerpt}; {Suppressed} similar rejection(s) not logged since the previous line")]
    public static partial void Rejected(ILogger logger, string problem, string address, string sid, string excerpt, long suppressed);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Socket.IO: {Problem} from {Address} (session {Sid}): {Excerpt}")]
    public static partial void RejectedQuietly(ILogger logger, string problem, string address, string sid, string excerpt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Socket.IO: closed {New} slow consumer session(s) (outbox over {Bound} bytes, or its address's or the server's outbox budget spent, or a send stalled past the send timeout); {Total} since start")]
    public static partial void SlowConsumers(ILogger logger, long @new, long bound, long total);

    [LoggerMessage(Level = LogLevel.Error, Message = "Socket.IO websocket transport of session {Sid} failed; the session is closed")]
    public static partial void TransportFailed(ILogger logger, Exception exception, string sid);

    [LoggerMessage(Level = LogLevel.Error, Message = "Socket.IO handler of {Namespace} failed for session {Sid}; the session is closed")]
    public static partial void HandlerFailed(ILogger logger, Exception exception, string @namespace, string sid);
}
