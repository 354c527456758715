using Microsoft.Extensions.Logging;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using SpinPet.Cluster.Codec;
using SpinPet.Core.Stream;
using SpinPet.Indexer;

namespace SpinPet.Cluster.Streams;

/// <summary>
/// Applies the cluster stream to this node's store, in order, through the indexer (docs/architecture.md, "The
/// cluster"): an ordered consumer from the stored position + 1; every message must be the next sequence and carry the
/// stream's epoch, else the follower starts over from the stored position (an ordered consumer follows a recreated
/// stream silently, skipping messages: spike item 7). A new epoch (the stream was recreated) is adopted: positions
/// restart at 1 over the stored rows, transactions already stored are skipped. A batch's parts are joined and the batch
/// applied at its last part's sequence, with that position, in one write. Every node runs this same loop on the same
/// messages, so every node holds the same rows at the same position.
/// </summary>
public sealed partial class StreamFollower
{
    private readonly ClusterStream _stream;
    private readonly SpinPetIndexer _indexer;
    private readonly ILogger _logger;
    private readonly BatchAssembler _assembler = new();
    private readonly object _progressGate = new();
    private TaskCompletionSource _progress = NewProgress();
    private CancellationTokenSource? _consumer;
    private volatile string? _epoch;
    private volatile string? _streamEpoch;
    private long _consumed;
    private volatile bool _wasReady;
    private long _streamLast;
    private long _lastContact = long.MinValue;
    private long _epochChanges;
    private long _restarts;
    private long _dropped;
    private Refusal? _refusal;

    public StreamFollower(ClusterStream stream, SpinPetIndexer indexer, ILogger<StreamFollower> logger)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(indexer);
        _stream = stream;
        _indexer = indexer;
        _logger = logger;
    }

    /// <summary>The epoch being followed (the stream's as of the last (re)start), or null before the stream was found.</summary>
    public string? Epoch => _epoch;

    /// <summary>The last stream sequence consumed in <see cref="Epoch"/> (applied, or a part of a batch still being joined).</summary>
    public long ConsumedSeq => Volatile.Read(ref _consumed);

    /// <summary>The stream's last sequence as last seen (a poll, or a message's pending count).</summary>
    public long StreamLastSeq => Volatile.Read(ref _streamLast);

    /// <summary>Messages behind the stream's end (0 once caught up).</summary>
    public long Lag => Math.Max(0, StreamLastSeq - ConsumedSeq);

    /// <summary>The applied position: the stored one.</summary>
    public StreamPosition Position => _indexer.Position;

    /// <summary>The stream answered within the last three polls.</summary>
    public bool Reachable => Environment.TickCount64 - Volatile.Read(ref _lastContact) <= 3 * (long)_stream.Settings.PollInterval.TotalMilliseconds + (long)_stream.Settings.CallTimeout.TotalMilliseconds;

    /// <summary>Whether this node was ever ready (<see cref="IsWithin"/> the configured lag) since it started.</summary>
    public bool WasReady => _wasReady;

    /// <summary>Following the stream's current epoch, reachable, and within <paramref name="maxLag"/> messages of its end.</summary>
    public bool IsWithin(long maxLag) => Reachable && _epoch is { } epoch && epoch == _streamEpoch && Lag <= maxLag;

    public long EpochChanges => Interlocked.Read(ref _epochChanges);

    public long Restarts => Interlocked.Read(ref _restarts);

    /// <summary>Messages consumed and not applied: parts of unfinished batches, strays, batches that did not decode.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Follows the stream until <paramref name="ct"/> ends: the consume loop and the poll of the stream's end.</summary>
    public Task RunAsync(CancellationToken ct) => Task.WhenAll(ConsumeAsync(ct), PollAsync(ct));

    /// <summary>Completes once the message at <paramref name="seq"/> of <paramref name="epoch"/> is consumed.</summary>
    public async Task WaitForAsync(string epoch, long seq, CancellationToken ct)
    {
        while (true)
        {
            Task progress;
            lock (_progressGate)
            {
                if (_epoch == epoch && ConsumedSeq >= seq)
                {
                    return;
                }
                progress = _progress.Task;
            }
            await progress.WaitAsync(ct);
        }
    }

    private async Task ConsumeAsync(CancellationToken ct)
    {
        var backoff = TimeSpan.FromMilliseconds(250);
        while (!ct.IsCancellationRequested)
        {
            try
            {
                if (await StartAsync(ct) is not { } start)
                {
                    // No stream yet (a new cluster, or deleted and not recreated yet), or trimmed below this node.
                    await Task.Delay(backoff, ct);
                    backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromSeconds(2).Ticks));
                    continue;
                }
                using var consumer = CancellationTokenSource.CreateLinkedTokenSource(ct);
                Volatile.Write(ref _consumer, consumer);
                await FollowAsync(start, consumer.Token);
                backoff = TimeSpan.FromMilliseconds(250);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (OperationCanceledException)
            {
                // The poll saw another epoch and ended this consumer: start over at once.
                Interlocked.Increment(ref _restarts);
            }
            catch (Exception e)
            {
                // 10059 (the stream was deleted), the store refusing a write, a call past its deadline: start over
                // from the stored position after a pause.
                Interlocked.Increment(ref _restarts);
                LogFollowFailed(_logger, e.GetType().Name, e.Message, (long)backoff.TotalMilliseconds);
                if (!await Pause.ForAsync(backoff, ct))
                {
                    return;
                }
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
            }
            finally
            {
                Volatile.Write(ref _consumer, null);
            }
        }
    }

    /// <summary>Reads the stream, adopts its epoch when it is new to this store; returns the first sequence to consume.</summary>
    private async Task<long?> StartAsync(CancellationToken ct)
    {
        if (await _stream.TryGetStateAsync(ct) is not { } state)
        {
            _streamEpoch = null;
            return null;
        }
        Seen(state);
        var stored = _indexer.Position;
        if (stored.Epoch != state.Epoch)
        {
            LogEpochAdopted(_logger, stored.Epoch, stored.Seq, state.Epoch, state.LastSeq);
            _indexer.BeginEpoch(state.Epoch);
            Interlocked.Increment(ref _epochChanges);
            stored = _indexer.Position;
        }
        long start = stored.Seq + 1;
        if (state.FirstSeq > start && state.LastSeq >= state.FirstSeq)
        {
            // Messages this node needs are gone (someone purged or limited the stream): it cannot catch up from here.
            LogTrimmed(_logger, start, state.FirstSeq);
            return null;
        }
        _assembler.Reset();
        lock (_progressGate)
        {
            _epoch = state.Epoch;
            Volatile.Write(ref _consumed, stored.Seq);
            Volatile.Write(ref _streamLast, state.LastSeq);
        }
        Signal();
        return start;
    }

    private async Task FollowAsync(long start, CancellationToken ct)
    {
        INatsJSConsumer consumer;
        using (var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct))
        {
            deadline.CancelAfter(_stream.Settings.CallTimeout);
            consumer = await _stream.JetStream.CreateOrderedConsumerAsync(
                _stream.Settings.Stream,
                new NatsJSOrderedConsumerOpts { OptStartSeq = (ulong)start, DeliverPolicy = ConsumerConfigDeliverPolicy.ByStartSequence },
                deadline.Token);
        }
        string epoch = _epoch!;
        await foreach (var msg in consumer.ConsumeAsync<byte[]>(cancellationToken: ct))
        {
            var metadata = msg.Metadata ?? throw new InvalidOperationException("A JetStream message without metadata.");
            long seq = (long)metadata.Sequence.Stream;
            long expected = ConsumedSeq + 1;
            if (seq != expected)
            {
                LogGap(_logger, expected, seq, epoch);
                Interlocked.Increment(ref _restarts);
                return;
            }
            Header(msg.Headers, ClusterStream.EpochHeader, out var messageEpoch);
            if (messageEpoch != epoch && !await IsStrayAsync(seq, messageEpoch, epoch, ct))
            {
                return;
            }
            if (messageEpoch == epoch)
            {
                Take(msg.Headers, msg.Data ?? [], epoch, seq);
            }
            Volatile.Write(ref _lastContact, Environment.TickCount64);
            long last = seq + (long)metadata.NumPending;
            if (last > StreamLastSeq)
            {
                Volatile.Write(ref _streamLast, last);
            }
            lock (_progressGate)
            {
                Volatile.Write(ref _consumed, seq);
            }
            Signal();
        }
    }

    /// <summary>
    /// A message of another epoch than the one followed. If the stream itself is now of another epoch (recreated: the
    /// consumer followed it silently), false: start over and adopt it. If the stream is still of the followed epoch, the
    /// message is a stray (a writer with a stale epoch) and true: it is skipped, by every node alike.
    /// </summary>
    private async Task<bool> IsStrayAsync(long seq, string? messageEpoch, string epoch, CancellationToken ct)
    {
        var state = await _stream.TryGetStateAsync(ct);
        if (state is { } current && current.Epoch == epoch)
        {
            LogStray(_logger, seq, messageEpoch ?? "(none)", epoch);
            Interlocked.Increment(ref _dropped);
            return true;
        }
        LogEpochEnded(_logger, epoch, seq, messageEpoch ?? "(none)");
        return false;
    }

    private void Take(NatsHeaders? headers, byte[] data, string epoch, long seq)
    {
        if (!Header(headers, ClusterStream.BatchHeader, out var id) || !Header(headers, ClusterStream.PartHeader, out var partText)
            || !BatchParts.TryParse(partText, out int part, out int count))
        {
            LogStray(_logger, seq, epoch, epoch);
            Interlocked.Increment(ref _dropped);
            return;
        }
        var whole = _assembler.Add(id!, part, count, data, out var dropped);
        if (dropped is not null)
        {
            LogUnfinishedDropped(_logger, dropped, seq);
            Interlocked.Increment(ref _dropped);
        }
        if (whole is null)
        {
            return;
        }
        StreamBatch batch;
        try
        {
            batch = BatchCodec.Decode(whole);
        }
        catch (BatchCodecException e)
        {
            // Deterministic: every node fails on the same bytes and skips them alike.
            LogUndecodable(_logger, id!, seq, e.Message);
            Interlocked.Increment(ref _dropped);
            return;
        }
        try
        {
            _indexer.Apply(batch, new StreamPosition(epoch, seq));
        }
        catch (ArgumentException e)
        {
            // The indexer refuses a batch for what it holds (indices out of order, an unknown event kind, counts past
            // the row formats): the same on every node, so every node skips it alike; nothing of it was stored. A
            // storage failure is not an ArgumentException: it ends this consumer and the batch is tried again.
            LogRefused(_logger, id!, seq, e.Message);
            Interlocked.Increment(ref _dropped);
            Volatile.Write(ref _refusal, new Refusal(epoch, seq, e));
        }
    }

    /// <summary>The batch at <paramref name="seq"/> of <paramref name="epoch"/> when the indexer refused it (its appender rethrows).</summary>
    public Exception? RefusalAt(string epoch, long seq) =>
        Volatile.Read(ref _refusal) is { } refusal && refusal.Epoch == epoch && refusal.Seq == seq ? refusal.Error : null;

    private async Task PollAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(_stream.Settings.PollInterval);
        try
        {
            do
            {
                try
                {
                    if (await _stream.TryGetStateAsync(ct) is { } state)
                    {
                        Seen(state);
                        if (_epoch is { } followed && followed != state.Epoch)
                        {
                            // Recreated under a running consumer: it would go on at its old sequence in the new stream.
                            LogEpochEnded(_logger, followed, ConsumedSeq, state.Epoch);
                            Volatile.Read(ref _consumer)?.Cancel();
                        }
                    }
                    else
                    {
                        Volatile.Write(ref _lastContact, Environment.TickCount64);
                        _streamEpoch = null;
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
                {
                    // Unreachable: readiness turns stale after three polls; the consumer resumes by itself.
                    LogPollFailed(_logger, e.GetType().Name, e.Message);
                }
            }
            while (await timer.WaitForNextTickAsync(ct));
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    private void Seen(StreamState state)
    {
        Volatile.Write(ref _lastContact, Environment.TickCount64);
        _streamEpoch = state.Epoch;
        if (state.Epoch == _epoch || _epoch is null)
        {
            Volatile.Write(ref _streamLast, state.LastSeq);
        }
        NoteReady();
    }

    // Recorded here, where progress is made, not when /health happens to be asked: a node nobody probed while it was
    // ready must still report "stale" rather than "never caught up" once the stream becomes unreachable.
    private void NoteReady()
    {
        if (!_wasReady && IsWithin(_stream.Settings.MaxReadyLag))
        {
            _wasReady = true;
        }
    }

    private void Signal()
    {
        NoteReady();
        TaskCompletionSource done;
        lock (_progressGate)
        {
            done = _progress;
            _progress = NewProgress();
        }
        done.TrySetResult();
    }

    private static TaskCompletionSource NewProgress() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private static bool Header(NatsHeaders? headers, string name, out string? value)
    {
        value = headers is not null && headers.TryGetValue(name, out var values) && values.Count == 1 ? values[0] : null;
        return value is not null;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cluster stream: epoch {NewEpoch} (to seq {LastSeq}) adopted over stored {OldEpoch}:{OldSeq}; positions restart at 1, stored transactions are skipped")]
    private static partial void LogEpochAdopted(ILogger logger, string oldEpoch, long oldSeq, string newEpoch, long lastSeq);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cluster stream: epoch {Epoch} ended at seq {Seq} (now {Next}): the stream was recreated; following it from its start")]
    private static partial void LogEpochEnded(ILogger logger, string epoch, long seq, string next);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cluster stream: expected seq {Expected}, got {Seq} in epoch {Epoch}; restarting from the stored position")]
    private static partial void LogGap(ILogger logger, long expected, long seq, string epoch);

    [LoggerMessage(Level = LogLevel.Error, Message = "Cluster stream: this node needs seq {Needed} but the stream begins at {FirstSeq}; it cannot catch up (start it on an empty database, or restore a copy of a peer's)")]
    private static partial void LogTrimmed(ILogger logger, long needed, long firstSeq);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cluster stream: seq {Seq} is not a batch of epoch {Epoch} (its epoch: {MessageEpoch}); skipped")]
    private static partial void LogStray(ILogger logger, long seq, string messageEpoch, string epoch);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cluster stream: batch {BatchId} left unfinished (seq {Seq} does not continue it); dropped — its writer lost the stream mid-batch")]
    private static partial void LogUnfinishedDropped(ILogger logger, string batchId, long seq);

    [LoggerMessage(Level = LogLevel.Error, Message = "Cluster stream: batch {BatchId} ending at seq {Seq} does not decode, skipped: {Reason}")]
    private static partial void LogUndecodable(ILogger logger, string batchId, long seq, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Cluster stream: batch {BatchId} ending at seq {Seq} refused by the indexer, skipped on every node: {Reason}")]
    private static partial void LogRefused(ILogger logger, string batchId, long seq, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cluster stream: following failed ({Kind}: {Reason}); starting over from the stored position in {DelayMs} ms")]
    private static partial void LogFollowFailed(ILogger logger, string kind, string reason, long delayMs);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Cluster stream: state poll failed ({Kind}: {Reason})")]
    private static partial void LogPollFailed(ILogger logger, string kind, string reason);

    private sealed record Refusal(string Epoch, long Seq, Exception Error);
}
