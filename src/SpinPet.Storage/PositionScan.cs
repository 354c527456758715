using RocksDbSharp;
using SpinPet.Core.Chain;

namespace SpinPet.Storage;

/// <summary>Walks a position-keyed family (<c>events</c>, <c>rejected</c>) forward or backward from an exclusive bound.</summary>
internal static class PositionScan
{
    public delegate T RowReader<out T>(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value);

    /// <summary>
    /// The lazy body takes a read lease at the first MoveNext and the iterator's <c>finally</c> releases it and the
    /// native iterator, also when the caller stops early (foreach disposes). Each row is copied out before moving on:
    /// the iterator's spans are only valid until the next step.
    /// </summary>
    public static IEnumerable<T> Scan<T>(SpinPetStore store, ColumnFamilyHandle family, ChainPosition? from, bool forward, int limit, RowReader<T> read)
    {
        if (limit == 0)
        {
            yield break;
        }
        store.EnterReader();
        try
        {
            using var iterator = store.Db.NewIterator(family);
            Seek(iterator, from, forward);
            int count = 0;
            while (iterator.Valid())
            {
                yield return read(iterator.GetKeySpan(), iterator.GetValueSpan());
                if (++count == limit)
                {
                    yield break;
                }
                if (forward)
                {
                    iterator.Next();
                }
                else
                {
                    iterator.Prev();
                }
            }
            // An iterator also stops being valid on an I/O error or corruption; that must not look like the end.
            Native.Instance.rocksdb_iter_get_error(iterator.Handle);
        }
        finally
        {
            store.ExitReader();
        }
    }

    private static void Seek(Iterator iterator, ChainPosition? from, bool forward)
    {
        if (from is not { } position)
        {
            if (forward)
            {
                iterator.SeekToFirst();
            }
            else
            {
                iterator.SeekToLast();
            }
            return;
        }
        Span<byte> key = stackalloc byte[Keys.PositionLength];
        Keys.WritePosition(key, position);
        // Seek lands on the first key ≥ the position, SeekForPrev on the last key ≤ it; the bound is exclusive.
        if (forward)
        {
            iterator.Seek(key);
            if (iterator.Valid() && iterator.GetKeySpan().SequenceEqual(key))
            {
                iterator.Next();
            }
        }
        else
        {
            iterator.SeekForPrev(key);
            if (iterator.Valid() && iterator.GetKeySpan().SequenceEqual(key))
            {
                iterator.Prev();
            }
        }
    }
}
