using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;

namespace SpinPet.Cluster.Streams;

/// <summary>
/// The JetStream calls on the cluster stream, each with its deadline (<see cref="ClusterSettings.CallTimeout"/>):
/// reading its state, creating it when missing, publishing one message fenced and de-duplicated.
/// </summary>
public sealed class ClusterStream(INatsJSContext js, ClusterSettings settings)
{
    /// <summary>JetStream's error code for "stream not found".</summary>
    public const int StreamNotFound = 10059;

    /// <summary>JetStream's error code for a publish whose Nats-Expected-Last-Sequence is not the stream's last.</summary>
    public const int WrongLastSequence = 10071;

    public const string EpochHeader = "Spin-Epoch";
    public const string BatchHeader = "Spin-Batch";
    public const string PartHeader = "Spin-Part";

    public ClusterSettings Settings => settings;

    public INatsJSContext JetStream => js;

    /// <summary>The stream's state, or null when it does not exist.</summary>
    public async Task<StreamState?> TryGetStateAsync(CancellationToken ct)
    {
        using var deadline = Deadline(ct);
        try
        {
            var stream = await js.GetStreamAsync(settings.Stream, cancellationToken: deadline.Token);
            return StreamState.Of(stream.Info);
        }
        catch (NatsJSApiException e) when (e.Error.ErrCode == StreamNotFound)
        {
            return null;
        }
    }

    /// <summary>
    /// The stream's state, creating it first when it is missing: file storage, one subject, every message kept (no
    /// age or size limit: the stream is the history a new node catches up from), a 2-minute duplicate window (a
    /// retried publish is a no-op within it; beyond it the fence refuses the second copy). Creating an existing stream
    /// with the same configuration is a no-op, so two candidates racing here both succeed.
    /// </summary>
    public async Task<StreamState> EnsureAsync(CancellationToken ct)
    {
        if (await TryGetStateAsync(ct) is { } state)
        {
            return state;
        }
        using var deadline = Deadline(ct);
        var created = await js.CreateStreamAsync(
            new StreamConfig(settings.Stream, [settings.Subject])
            {
                Storage = StreamConfigStorage.File,
                Retention = StreamConfigRetention.Limits,
                DuplicateWindow = TimeSpan.FromMinutes(2),
            },
            deadline.Token);
        return StreamState.Of(created.Info);
    }

    /// <summary>
    /// Publishes one message with its Msg-Id (a retry of a stored one comes back <c>Duplicate</c> with the original
    /// sequence: nats-server checks the id before the fence) and the expected last sequence (a writer that is not the
    /// last one to append gets 10071). Returns the ack as received; a thrown call's outcome is unknown.
    /// </summary>
    public async Task<PubAckResponse> PublishAsync(ReadOnlyMemory<byte> data, string msgId, long expectedLastSeq, NatsHeaders headers, CancellationToken ct)
    {
        using var deadline = Deadline(ct);
        return await js.PublishAsync(
            settings.Subject, data, opts: new NatsJSPubOpts { MsgId = msgId, ExpectedLastSequence = (ulong)expectedLastSeq }, headers: headers,
            cancellationToken: deadline.Token);
    }

    private CancellationTokenSource Deadline(CancellationToken ct)
    {
        var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(settings.CallTimeout);
        return deadline;
    }
}
