using NATS.Client.JetStream.Models;

namespace SpinPet.Cluster.Streams;

/// <summary>
/// Where the cluster stream stands: its identity (<see cref="Epoch"/>) and its first and last sequence (0 and 0 when
/// empty).
/// </summary>
public readonly record struct StreamState(string Epoch, long FirstSeq, long LastSeq)
{
    /// <summary>
    /// The stream's identity: its name and its creation time in .NET ticks. <c>Created</c> is stable across server
    /// restarts (kill -9 included) and new when the stream is deleted and created again, when its sequences restart at 1
    /// (spike item 1 and 7). Only the parsed .NET value is used: the server's string has nanoseconds, the parsed value
    /// 100 ns ticks.
    /// </summary>
    public static string EpochOf(string stream, DateTimeOffset created) => $"{stream}.{created.UtcTicks}";

    public static StreamState Of(StreamInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        return new StreamState(EpochOf(info.Config.Name!, info.Created), (long)info.State.FirstSeq, (long)info.State.LastSeq);
    }
}
