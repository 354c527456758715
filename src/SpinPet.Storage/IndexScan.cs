using RocksDbSharp;

namespace SpinPet.Storage;

/// <summary>
/// One page of an index family: the rows of a prefix after a keyset cursor (exclusive, in the direction of travel)
/// that pass a filter, the first <c>skip</c> of them stepped over, at most <c>limit</c> read, and one look-ahead for
/// <see cref="IndexPage{T}.HasMore"/>. A skipped row costs an iterator step and the filter, never a read of the row
/// behind it. Bounds confine the iterator to the prefix; at most <see cref="MaxScannedRows"/> rows are visited beyond
/// the skipped ones.
/// </summary>
internal static class IndexScan
{
    /// <summary>
    /// A filtered list (a user's events or orders in one mint) stops after visiting this many index rows and hands out
    /// a cursor where it stopped, so one request never walks an unbounded range (~100 k rows of ~80 bytes ≈ 10 ms).
    /// </summary>
    public const int MaxScannedRows = 100_000;

    /// <summary>Whether an index row belongs to the list (e.g. a user's rows of one mint), from the index row alone.</summary>
    public delegate bool RowFilter(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value);

    public delegate T RowReader<out T>(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value);

    /// <returns>The page, and how many index keys it visited.</returns>
    public static (IndexPage<T> Page, long Visited) Page<T>(SpinPetStore store, ColumnFamilyHandle family, ReadOnlySpan<byte> prefix, int keyLength,
        byte[]? after, bool descending, int skip, int limit, RowFilter? filter, RowReader<T> read)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(skip);
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        if (after is not null && after.Length != keyLength - prefix.Length)
        {
            throw new ArgumentException($"A cursor of this list is {keyLength - prefix.Length} bytes, not {after.Length}.", nameof(after));
        }
        store.EnterReader();
        try
        {
            var options = new ReadOptions();
            byte[]? upper = prefix.IsEmpty ? null : Successor(prefix);
            if (!prefix.IsEmpty)
            {
                options.SetIterateLowerBound(prefix.ToArray());
            }
            if (upper is not null)
            {
                options.SetIterateUpperBound(upper);
            }
            using var iterator = store.Db.NewIterator(family, options);
            var start = new byte[keyLength];
            prefix.CopyTo(start);
            if (after is not null)
            {
                after.CopyTo(start, prefix.Length);
            }
            else if (descending)
            {
                start.AsSpan(prefix.Length).Fill(0xFF);
            }
            if (descending)
            {
                iterator.SeekForPrev(start);
            }
            else
            {
                iterator.Seek(start);
            }
            if (after is not null && iterator.Valid() && iterator.GetKeySpan().SequenceEqual(start))
            {
                Step(iterator, descending);
            }

            var items = new List<T>(Math.Min(limit, 1024));
            // The key suffix of the last row visited, copied into one buffer rather than allocated per row.
            var last = new byte[keyLength - prefix.Length];
            bool hasMore = false;
            long budget = (long)MaxScannedRows + skip;
            long visited = 0;
            while (iterator.Valid())
            {
                var key = iterator.GetKeySpan();
                if (++visited > budget)
                {
                    // Stopped early: the next page resumes after the last row visited.
                    hasMore = true;
                    break;
                }
                if (filter is null || filter(key, iterator.GetValueSpan()))
                {
                    if (items.Count == limit)
                    {
                        hasMore = true;
                        break;
                    }
                    if (skip > 0)
                    {
                        skip--;
                    }
                    else
                    {
                        items.Add(read(key, iterator.GetValueSpan()));
                    }
                }
                key[prefix.Length..].CopyTo(last);
                Step(iterator, descending);
            }
            if (!hasMore)
            {
                Native.Instance.rocksdb_iter_get_error(iterator.Handle);
            }
            return (new IndexPage<T>(items, hasMore, hasMore ? last : null), visited);
        }
        finally
        {
            store.ExitReader();
        }
    }

    private static void Step(Iterator iterator, bool descending)
    {
        if (descending)
        {
            iterator.Prev();
        }
        else
        {
            iterator.Next();
        }
    }

    /// <summary>The smallest key above every key starting with <paramref name="prefix"/>; null when the prefix is all FF.</summary>
    private static byte[]? Successor(ReadOnlySpan<byte> prefix)
    {
        var bytes = prefix.ToArray();
        for (int i = bytes.Length - 1; i >= 0; i--)
        {
            if (bytes[i] != 0xFF)
            {
                bytes[i]++;
                return bytes.AsSpan(0, i + 1).ToArray();
            }
        }
        return null;
    }
}
