namespace SpinPet.Cluster.Codec;

/// <summary>
/// Joins the parts of one batch as the stream delivers them, in order. Every node runs the same rule on the same
/// messages, so every node applies the same batches: a batch is complete when part n of n follows parts 1..n-1 of the
/// same id; a part 1 while another batch is unfinished drops the unfinished one (its writer lost the stream after
/// publishing part of it; the next leader continues from the last complete batch's checkpoint); a part that does not
/// continue the batch being joined is dropped with it.
/// </summary>
public sealed class BatchAssembler
{
    private readonly List<ReadOnlyMemory<byte>> _parts = [];
    private string? _id;
    private int _count;

    /// <summary>The unfinished batch's id, when parts of one are held.</summary>
    public string? Pending => _id;

    /// <summary>
    /// Takes the next message's part. Returns the batch's encoding when this part completes it, else null;
    /// <paramref name="dropped"/> names a batch this part showed to be unfinishable (to log), else null.
    /// </summary>
    public byte[]? Add(string id, int part, int count, ReadOnlyMemory<byte> bytes, out string? dropped)
    {
        ArgumentNullException.ThrowIfNull(id);
        dropped = null;
        if (part == 1)
        {
            dropped = _id;
            Reset();
            _id = id;
            _count = count;
        }
        else if (_id != id || _count != count || _parts.Count != part - 1)
        {
            dropped = _id ?? id;
            Reset();
            return null;
        }
        _parts.Add(bytes);
        if (part < count)
        {
            return null;
        }
        var whole = new byte[_parts.Sum(p => p.Length)];
        int offset = 0;
        foreach (var piece in _parts)
        {
            piece.Span.CopyTo(whole.AsSpan(offset));
            offset += piece.Length;
        }
        Reset();
        return whole;
    }

    /// <summary>Forgets the unfinished batch (the follower restarts from its stored position, before its first part).</summary>
    public void Reset()
    {
        _parts.Clear();
        _id = null;
        _count = 0;
    }
}
