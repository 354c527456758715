using System.Globalization;

namespace SpinPet.Cluster.Codec;

/// <summary>
/// A batch's encoding cut into messages of at most a part's size (the server's max payload less room for the headers):
/// part <c>i</c> of <c>n</c> carries bytes <c>[(i-1)·size, i·size)</c>. The parts are published back to back by the
/// one leader, fenced on the stream's last sequence, so they are consecutive in the stream; the receiver joins them
/// (<see cref="BatchAssembler"/>) and applies the batch at the position of its last part.
/// </summary>
public static class BatchParts
{
    /// <summary>Room left for headers under the server's max payload: ours take ~150 bytes, NATS's own ~100.</summary>
    public const int HeaderRoom = 4096;

    /// <summary>More parts than this is not a batch the ingest builds (512 transactions), whatever the part size.</summary>
    public const int MaxParts = 4096;

    /// <summary>The largest part for a server whose max payload is <paramref name="maxPayload"/>.</summary>
    public static int PartSize(long maxPayload)
    {
        // nats-server refuses max_payload below 1 KiB of sense; 1 MiB is the default (the spike read 1048576).
        if (maxPayload < 2 * HeaderRoom)
        {
            throw new ArgumentOutOfRangeException(nameof(maxPayload), maxPayload, $"a max payload under {2 * HeaderRoom} bytes leaves no room for a batch");
        }
        return (int)Math.Min(maxPayload - HeaderRoom, int.MaxValue);
    }

    public static IReadOnlyList<ReadOnlyMemory<byte>> Split(byte[] encoded, int partSize)
    {
        ArgumentNullException.ThrowIfNull(encoded);
        ArgumentOutOfRangeException.ThrowIfLessThan(partSize, 1);
        int count = Math.Max(1, (encoded.Length + partSize - 1) / partSize);
        if (count > MaxParts)
        {
            throw new ArgumentException($"A batch of {encoded.Length} bytes needs {count} parts of {partSize}; at most {MaxParts}.", nameof(encoded));
        }
        var parts = new ReadOnlyMemory<byte>[count];
        for (int i = 0; i < count; i++)
        {
            int start = i * partSize;
            parts[i] = encoded.AsMemory(start, Math.Min(partSize, encoded.Length - start));
        }
        return parts;
    }

    /// <summary>The <c>Spin-Part</c> header: <c>"i/n"</c>, 1-based.</summary>
    public static string Format(int part, int count) => string.Create(CultureInfo.InvariantCulture, $"{part}/{count}");

    public static bool TryParse(string? text, out int part, out int count)
    {
        part = count = 0;
        int slash = text?.IndexOf('/', StringComparison.Ordinal) ?? -1;
        return slash > 0
            && int.TryParse(text.AsSpan(0, slash), NumberStyles.None, CultureInfo.InvariantCulture, out part)
            && int.TryParse(text.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out count)
            && part >= 1 && part <= count && count <= MaxParts;
    }
}
