using System.Runtime.ExceptionServices;
using Microsoft.Extensions.Logging;
using NATS.Client.Core;
using NATS.Client.JetStream.Models;
using SpinPet.Cluster.Codec;
using SpinPet.Core.Stream;

namespace SpinPet.Cluster.Streams;

/// <summary>
/// The batch stream of the ingest leader, for one lease term (docs/architecture.md, "The cluster"): an append encodes
/// the batch, publishes its parts to the cluster stream, each with a Msg-Id from the batch's id and part and with the
/// stream's last sequence as this leader knows it, then waits until this node's own <see cref="StreamFollower"/> has
/// applied it and returns its position — so the ingest loop reads the checkpoint and the stored signatures exactly as
/// in one process. A publish without an ack has an unknown outcome (it may be stored later): it is retried with the
/// same Msg-Id and the same expected sequence until it is acked, comes back a duplicate (stored already), or is fenced.
/// A fence (10071: another writer appended, or this leader's earlier attempt landed after the duplicate window) fails
/// the append; the next append first catches up with the stream's end again.
/// </summary>
public sealed partial class JetStreamBatchStream : IBatchStream
{
    // A retried publish that failed fast (no responders while the server restarts) waits this long before the next try.
    private static readonly TimeSpan RetryPause = TimeSpan.FromMilliseconds(200);

    private readonly ClusterStream _stream;
    private readonly StreamFollower _follower;
    private readonly INatsConnection _connection;
    private readonly ILogger _logger;
    private int _appending;
    private string? _epoch;
    private long _lastSeq;

    public JetStreamBatchStream(ClusterStream stream, StreamFollower follower, INatsConnection connection, ILogger<JetStreamBatchStream> logger)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(follower);
        ArgumentNullException.ThrowIfNull(connection);
        _stream = stream;
        _follower = follower;
        _connection = connection;
        _logger = logger;
    }

    /// <summary>How long an append waits for this node's follower to apply what it published (a stuck follower fails it).</summary>
    public TimeSpan ApplyTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>A smaller part size than the server's max payload allows (tests split small batches with it).</summary>
    internal int? MaxPartSize { get; init; }

    public StreamPosition Position => _follower.Position;

    /// <summary>
    /// Catches this node up with the stream's end (the stream created when missing) and takes its last sequence as the
    /// fence for the next publish: what a new leader does before it ingests.
    /// </summary>
    public async Task<StreamState> CatchUpAsync(CancellationToken ct)
    {
        var state = await _stream.EnsureAsync(ct);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(ApplyTimeout);
        await _follower.WaitForAsync(state.Epoch, state.LastSeq, deadline.Token);
        _epoch = state.Epoch;
        _lastSeq = state.LastSeq;
        LogCaughtUp(_logger, state.Epoch, state.LastSeq, _follower.Position.Seq);
        return state;
    }

    public async ValueTask<StreamPosition> AppendAsync(StreamBatch batch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (Interlocked.Exchange(ref _appending, 1) != 0)
        {
            throw new InvalidOperationException("Another append is in progress: the batch stream has one appender at a time.");
        }
        try
        {
            if (_epoch is null)
            {
                await CatchUpAsync(cancellationToken);
            }
            string epoch = _epoch!;
            // Read at every append: ServerInfo is refreshed on every reconnect, maybe to another server's limit.
            int partSize = Math.Min(BatchParts.PartSize(_connection.ServerInfo?.MaxPayload ?? 1024 * 1024), MaxPartSize ?? int.MaxValue);
            var parts = BatchParts.Split(BatchCodec.Encode(batch), partSize);
            for (int i = 0; i < parts.Count; i++)
            {
                var headers = new NatsHeaders
                {
                    [ClusterStream.EpochHeader] = epoch,
                    [ClusterStream.BatchHeader] = batch.Id,
                    [ClusterStream.PartHeader] = BatchParts.Format(i + 1, parts.Count),
                };
                _lastSeq = await PublishAsync(parts[i], $"{batch.Id}:{i + 1}", _lastSeq, headers, cancellationToken);
            }
            long seq = _lastSeq;
            using (var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                deadline.CancelAfter(ApplyTimeout);
                await _follower.WaitForAsync(epoch, seq, deadline.Token);
            }
            var applied = _follower.Position;
            if (applied.Epoch == epoch && applied.Seq < seq && _follower.RefusalAt(epoch, seq) is { } refused)
            {
                // Skipped by every node: the position stays, the next append follows on, like one process.
                ExceptionDispatchInfo.Throw(refused);
            }
            if (applied.Epoch != epoch || applied.Seq < seq)
            {
                _epoch = null;
                throw new InvalidOperationException($"Batch {batch.Id} was published up to {epoch}:{seq} but this node applied only up to {applied}.");
            }
            return new StreamPosition(epoch, seq);
        }
        catch
        {
            // Whatever failed, the next append first reads where the stream ends.
            _epoch = null;
            throw;
        }
        finally
        {
            Volatile.Write(ref _appending, 0);
        }
    }

    private async Task<long> PublishAsync(ReadOnlyMemory<byte> part, string msgId, long expectedLastSeq, NatsHeaders headers, CancellationToken ct)
    {
        while (true)
        {
            PubAckResponse ack;
            try
            {
                ack = await _stream.PublishAsync(part, msgId, expectedLastSeq, headers, ct);
            }
            catch (Exception e) when (!ct.IsCancellationRequested && e is not NatsPayloadTooLargeException)
            {
                // No ack: the message may be stored now or later. Only the same Msg-Id and fence make a retry safe.
                LogPublishUnknown(_logger, msgId, expectedLastSeq, e.GetType().Name, e.Message);
                if (await StreamIsGoneAsync(ct))
                {
                    // Deleted (not merely unreachable): no retry can land, and nobody else recreates it. The append
                    // fails; the next one catches up, which creates the stream anew (a new epoch).
                    LogStreamGone(_logger, msgId);
                    throw new InvalidOperationException($"Publish of {msgId}: the cluster stream {_stream.Settings.Stream} no longer exists.");
                }
                await Task.Delay(RetryPause, ct);
                continue;
            }
            if (ack.Error is { } error)
            {
                if (error.ErrCode == ClusterStream.WrongLastSequence)
                {
                    LogFenced(_logger, msgId, expectedLastSeq, error.Description ?? "");
                    throw new StreamFencedException($"Publish of {msgId} fenced: the stream's last sequence is not {expectedLastSeq} ({error.Description}).");
                }
                throw new InvalidOperationException($"Publish of {msgId} refused: {error.Code}/{error.ErrCode} {error.Description}");
            }
            // A duplicate is success: the first attempt was stored at ack.Seq.
            return (long)ack.Seq;
        }
    }

    /// <summary>True only when the server answers that the stream does not exist; an unreachable server is not "gone".</summary>
    private async Task<bool> StreamIsGoneAsync(CancellationToken ct)
    {
        try
        {
            return await _stream.TryGetStateAsync(ct) is null;
        }
        catch (Exception e) when (!ct.IsCancellationRequested && e is NatsException or OperationCanceledException or TimeoutException)
        {
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cluster stream: the stream is gone (deleted) while publishing {MsgId}; the next append recreates it")]
    private static partial void LogStreamGone(ILogger logger, string msgId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Cluster stream: leader caught up with epoch {Epoch} at seq {LastSeq} (applied {AppliedSeq}); publishing from here")]
    private static partial void LogCaughtUp(ILogger logger, string epoch, long lastSeq, long appliedSeq);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cluster stream: publish of {MsgId} (expecting last seq {Expected}) has no ack ({Kind}: {Reason}); retrying the same message")]
    private static partial void LogPublishUnknown(ILogger logger, string msgId, long expected, string kind, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cluster stream: publish of {MsgId} fenced (expected last seq {Expected}): {Reason}")]
    private static partial void LogFenced(ILogger logger, string msgId, long expected, string reason);
}
