using System.Buffers;
using System.Text.Unicode;
using Microsoft.AspNetCore.Http;

namespace SpinPet.SocketIO.Engine;

/// <summary>
/// HTTP long-polling. A GET takes what the outbox holds, or waits until something is queued (the heartbeat queues
/// a ping every ping interval, so a GET is never held longer than that in a live session), and answers the packets
/// separated by 0x1E. A POST carries the client's packets. One GET and one POST at a time per session: a second one
/// while the first is outstanding is an error that closes the session, as the reference server does.
/// </summary>
internal static class PollingTransport
{
    private static readonly byte[] Ok = "ok"u8.ToArray();

    public static async Task GetAsync(EngineSession session, HttpContext context)
    {
        if (!session.TryBeginPoll(post: false))
        {
            session.FailProtocol("a second GET while one is outstanding", default);
            await session.Server.RefuseAsync(context, EngineErrorCode.BadRequest, "overlapping poll request");
            return;
        }
        var batch = new List<EngineTextMessage>();
        long bytes = 0;
        try
        {
            var wake = OutboxWake.Ready;
            if (!session.IsUpgrading)
            {
                using var waitCancel = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, session.Aborted);
                try
                {
                    wake = await session.Outbox.WaitAsync(waitCancel.Token);
                }
                catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
                {
                    // "poll connection closed prematurely": the client went away while its GET was held.
                    session.Close(SocketIODisconnectReason.TransportClose);
                    return;
                }
                catch (OperationCanceledException)
                {
                    // The session was torn down (a ping timeout) while this GET was held: it carries the close.
                    wake = OutboxWake.Closed;
                }
                catch (InvalidOperationException)
                {
                    // The upgrade completed between this GET's admission and its wait: the websocket drains now.
                    wake = OutboxWake.Woken;
                }
            }
            bool finished = false;
            if (!session.IsWebSocket && wake != OutboxWake.Woken)
            {
                bytes = session.Outbox.Drain(batch, int.MaxValue, out finished);
            }
            await WriteAsync(session, context, batch, finished);
            if (finished)
            {
                session.Teardown();
            }
        }
        finally
        {
            session.Outbox.Release(bytes);
            session.EndPoll(post: false);
        }
    }

    public static async Task PostAsync(EngineSession session, HttpContext context)
    {
        if (!session.TryBeginPoll(post: true))
        {
            session.FailProtocol("a second POST while one is outstanding", default);
            await session.Server.RefuseAsync(context, EngineErrorCode.BadRequest, "overlapping data request");
            return;
        }
        byte[]? body = null;
        try
        {
            var request = context.Request;
            if (string.Equals(request.ContentType, "application/octet-stream", StringComparison.OrdinalIgnoreCase))
            {
                session.FailProtocol("binary polling payload (not served)", default);
                await session.Server.RefuseAsync(context, EngineErrorCode.BadRequest, "binary payloads are not supported");
                return;
            }
            int limit = session.Options.MaxPayloadBytes;
            int length = 0;
            if (request.ContentLength is not > 0 || request.ContentLength <= limit)
            {
                (body, length) = await ReadBodyAsync(request.Body, limit, request.ContentLength ?? 0, context.RequestAborted);
            }
            if (request.ContentLength > limit || length > limit)
            {
                session.Counters.OverSize();
                session.Reject($"polling payload over {limit} bytes", default);
                session.Close(SocketIODisconnectReason.Refused, 1009);
                context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
                return;
            }
            var payload = body.AsMemory(0, length);
            if (!Utf8.IsValid(payload.Span))
            {
                session.FailProtocol("polling payload is not UTF-8", payload.Span);
                await session.Server.RefuseAsync(context, EngineErrorCode.BadRequest, "payload is not UTF-8");
                return;
            }
            await session.ReceiveAsync(payload, isPayload: true);
            if (!session.IsOpen && session.CloseReason == SocketIODisconnectReason.ProtocolError)
            {
                await session.Server.RefuseAsync(context, EngineErrorCode.BadRequest, "bad packet");
                return;
            }
            // text/html as the reference server answers (text/plain made some browsers offer a download).
            context.Response.ContentType = "text/html";
            context.Response.ContentLength = 2;
            await context.Response.Body.WriteAsync(Ok, context.RequestAborted);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or BadHttpRequestException)
        {
            // The client dropped the request, or Kestrel refused its body; the session decides nothing from it.
        }
        finally
        {
            if (body is not null)
            {
                ArrayPool<byte>.Shared.Return(body);
            }
            session.EndPoll(post: true);
        }
    }

    /// <summary>
    /// Reads the body into a pooled buffer (the caller returns it), sized from the declared length and grown by
    /// doubling, stopping one byte past <paramref name="limit"/> so that an oversized body costs at most the limit.
    /// </summary>
    private static async ValueTask<(byte[] Buffer, int Length)> ReadBodyAsync(Stream body, int limit, long declared, CancellationToken ct)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(Math.Max(declared, 4096) + 1, limit + 1L));
        int length = 0;
        try
        {
            while (length <= limit)
            {
                if (length == buffer.Length)
                {
                    byte[] grown = ArrayPool<byte>.Shared.Rent((int)Math.Min(buffer.Length * 2L, limit + 1L));
                    buffer.AsSpan(0, length).CopyTo(grown);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = grown;
                }
                int read = await body.ReadAsync(buffer.AsMemory(length), ct);
                if (read == 0)
                {
                    break;
                }
                length += read;
            }
            return (buffer, length);
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }

    /// <summary>The packets joined by 0x1E, then the close packet when the session ends here; a noop when there is nothing.</summary>
    private static async Task WriteAsync(EngineSession session, HttpContext context, List<EngineTextMessage> batch, bool finished)
    {
        if (finished)
        {
            batch.Add(new EngineTextMessage(EnginePackets.Close));
        }
        else if (batch.Count == 0)
        {
            batch.Add(new EngineTextMessage(EnginePackets.Noop));
        }
        long length = batch.Count - 1;
        foreach (var message in batch)
        {
            length += message.Length;
        }
        var response = context.Response;
        response.ContentType = "text/plain; charset=UTF-8";
        response.ContentLength = length;
        response.Headers.CacheControl = "no-store";

        // Not linked to the session's teardown: the response that carries the close must still go out.
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        deadline.CancelAfter(session.Options.SendTimeout);
        try
        {
            var writer = response.BodyWriter;
            for (int i = 0; i < batch.Count; i++)
            {
                if (i > 0)
                {
                    writer.Write([EnginePackets.RecordSeparator]);
                }
                writer.Write(batch[i].Head.Span);
                writer.Write(batch[i].Middle.Span);
                writer.Write(batch[i].Tail.Span);
            }
            await writer.FlushAsync(deadline.Token);
            session.Counters.Sent(batch.Count);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException)
        {
            // The client did not take the response within the send timeout, or went away: what this GET carried is
            // lost with the session (the client reconnects into a new one, as with the reference server).
            bool stalled = deadline.IsCancellationRequested && !context.RequestAborted.IsCancellationRequested;
            session.Close(stalled ? SocketIODisconnectReason.SlowConsumer : SocketIODisconnectReason.TransportClose);
            if (stalled)
            {
                context.Abort();
            }
        }
    }
}
