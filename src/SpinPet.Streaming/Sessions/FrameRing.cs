namespace SpinPet.Streaming.Sessions;

/// <summary>
/// The outbox's queue: a first-in first-out ring of frames, each addressed by a sequence number that stays valid
/// while the frame is queued, so a subscription can find its queued realtime frame again (conflation) without a
/// reference to a heap object. Not thread-safe: the outbox calls it under its lock.
/// </summary>
internal sealed class FrameRing
{
    // An idle connection's queue holds nothing; the ring grows in powers of two as messages queue up.
    private OutboundFrame[] _slots = [];

    // Sequence numbers of the oldest queued frame and of the next one; 0 is never used, so it can mean "none".
    private long _head = 1;
    private long _tail = 1;

    public int Count => (int)(_tail - _head);

    /// <summary>Whether <paramref name="sequence"/> names a frame still queued.</summary>
    public bool Holds(long sequence) => sequence >= _head && sequence < _tail;

    /// <summary>The queued frame <paramref name="sequence"/> names (only while <see cref="Holds"/> says so).</summary>
    public ref OutboundFrame this[long sequence] => ref _slots[(int)(sequence & (_slots.Length - 1))];

    /// <returns>The frame's sequence number.</returns>
    public long Enqueue(in OutboundFrame frame)
    {
        if (Count == _slots.Length)
        {
            Grow();
        }
        long sequence = _tail++;
        this[sequence] = frame;
        return sequence;
    }

    public bool TryDequeue(out OutboundFrame frame, out long sequence)
    {
        if (_head == _tail)
        {
            frame = default;
            sequence = 0;
            return false;
        }
        sequence = _head++;
        ref var slot = ref this[sequence];
        frame = slot;
        // The slot lets go of the frame's buffers now, not when the ring comes round to it again.
        slot = default;
        return true;
    }

    public void Clear()
    {
        while (TryDequeue(out _, out _))
        {
        }
    }

    private void Grow()
    {
        var grown = new OutboundFrame[Math.Max(4, _slots.Length * 2)];
        for (long sequence = _head; sequence < _tail; sequence++)
        {
            grown[(int)(sequence & (grown.Length - 1))] = this[sequence];
        }
        _slots = grown;
    }
}
