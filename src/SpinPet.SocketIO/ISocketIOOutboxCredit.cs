namespace SpinPet.SocketIO;

/// <summary>
/// A session's share of outbox budgets beyond its own bound, given by <see cref="ISocketIOAdmission"/> with the
/// session's slot: the host lends it from the same per-address and per-server budgets as its other endpoints, so a
/// client that stops reading holds no more over Socket.IO than over <c>/ws</c>. One per session; its outbox calls it
/// under its own lock, with the bytes it holds (queued, and handed to a transport whose send has not completed).
/// </summary>
public interface ISocketIOOutboxCredit
{
    /// <summary>
    /// May the outbox hold <paramref name="bytes"/>? False when a shared budget has no room: the packet is refused
    /// and the session closed as a slow consumer.
    /// </summary>
    bool TryCover(long bytes);

    /// <summary>
    /// The outbox holds <paramref name="bytes"/> now (it drained, a send completed, it was emptied); once
    /// <paramref name="final"/> it takes nothing more, and only what it still holds needs credit.
    /// </summary>
    void Trim(long bytes, bool final);
}
