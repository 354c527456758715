namespace SpinPet.Streaming.Topics;

/// <summary>
/// Bytes many connections send alike but for one piece of their own between two shared parts:
/// <see cref="Prefix"/> ‖ piece ‖ <see cref="Suffix"/>. A candle update's piece is the subscription's id
/// (<see cref="KlineFrame"/>); a greeting's is its head, in front of the shared symbol list (an empty prefix). The
/// shared parts are serialized once; how the three parts go on the wire (plain, or compressed with the piece stored
/// uncompressed between them) is up to each connection's transport, which may keep its own form of the shared
/// parts here (<see cref="TransportForm{T}"/>), made once and then shared too.
/// </summary>
public class SharedFrame(byte[] prefix, byte[] suffix)
{
    private object? _transportForm;

    public byte[] Prefix { get; } = prefix;

    public byte[] Suffix { get; } = suffix;

    /// <summary>The message's length with a piece of <paramref name="pieceLength"/> bytes.</summary>
    public int Length(int pieceLength) => Prefix.Length + pieceLength + Suffix.Length;

    /// <summary>
    /// A transport's own form of the shared parts (a permessage-deflate connection's: both compressed), made by the
    /// first connection that asks and kept for the others: two racing makers make equal forms and one is kept. One
    /// kind of form per frame (a frame belongs to one protocol, and one transport compresses it).
    /// </summary>
    public T TransportForm<T>(Func<SharedFrame, T> make)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(make);
        if (Volatile.Read(ref _transportForm) is T made)
        {
            return made;
        }
        T fresh = make(this);
        return Interlocked.CompareExchange(ref _transportForm, fresh, null) as T ?? fresh;
    }
}
