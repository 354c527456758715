using System.Buffers.Binary;
using System.Text;
using RocksDbSharp;
using SpinPet.Core.Chain;

namespace SpinPet.Storage;

/// <summary>
/// Token metadata (<c>token_metadata</c>, docs/storage.md "Token metadata"): one row per mint whose <c>uri</c> JSON was
/// fetched or failed for good, written by the metadata fetcher outside the ingest's batches. Data from outside the
/// chain, so a rebuild of the index rows keeps it, and a mint without a row is one still to fetch.
/// </summary>
public sealed class TokenMetadataStore
{
    /// <summary>version ‖ state ‖ recorded at i64 ms ‖ content length u32, then the UTF-8 content.</summary>
    private const int MetadataHeaderLength = 1 + 1 + 8 + 4;

    private const byte MetadataVersion = 1;

    private readonly SpinPetStore _store;
    private readonly ColumnFamilyHandle _family;

    internal TokenMetadataStore(SpinPetStore store)
    {
        _store = store;
        _family = store.Family(ColumnFamilyNames.TokenMetadata);
    }

    /// <summary>The mint's stored metadata outcome, or null when there is none yet (not fetched, or failed only transiently).</summary>
    public StoredTokenMetadata? Get(PublicKey mint) => _store.ReadRow(mint.AsSpan(), _family, ReadMetadata);

    /// <summary>
    /// Stores (replaces) the mint's metadata outcome. Safe from any thread, concurrently with the ingest: the row is
    /// written on its own and touches nothing a batch writes.
    /// </summary>
    public void Put(PublicKey mint, StoredTokenMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        if (!Enum.IsDefined(metadata.State))
        {
            throw new ArgumentOutOfRangeException(nameof(metadata), metadata.State, "Not a token metadata state.");
        }
        var content = Encoding.UTF8.GetBytes(metadata.Content);
        var value = new byte[MetadataHeaderLength + content.Length];
        value[0] = MetadataVersion;
        value[1] = (byte)metadata.State;
        BinaryPrimitives.WriteInt64BigEndian(value.AsSpan(2), metadata.RecordedAtMs);
        BinaryPrimitives.WriteUInt32BigEndian(value.AsSpan(10), (uint)content.Length);
        content.CopyTo(value, MetadataHeaderLength);
        using var batch = new WriteBatch();
        batch.Put(mint.AsSpan(), value, _family);
        _store.WriteAlone(batch);
    }

    private static StoredTokenMetadata ReadMetadata(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        const string family = ColumnFamilyNames.TokenMetadata;
        IndexKeys.CheckLength(family, key, PublicKey.Length);
        if (value.Length < MetadataHeaderLength)
        {
            throw StoreCorruptedException.Row(family, key, $"the value is {value.Length} bytes, shorter than the {MetadataHeaderLength}-byte header");
        }
        if (value[0] != MetadataVersion)
        {
            throw StoreCorruptedException.Row(family, key, $"format version {value[0]} is not the known version {MetadataVersion}");
        }
        var state = (TokenMetadataState)value[1];
        if (!Enum.IsDefined(state))
        {
            throw StoreCorruptedException.Row(family, key, $"unknown state {value[1]}");
        }
        uint length = BinaryPrimitives.ReadUInt32BigEndian(value[10..]);
        if (length != value.Length - MetadataHeaderLength)
        {
            throw StoreCorruptedException.Row(family, key, $"the content is {value.Length - MetadataHeaderLength} bytes, the header says {length}");
        }
        string content;
        try
        {
            content = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(value[MetadataHeaderLength..]);
        }
        catch (DecoderFallbackException)
        {
            throw StoreCorruptedException.Row(family, key, "the content is not UTF-8");
        }
        return new StoredTokenMetadata(state, BinaryPrimitives.ReadInt64BigEndian(value[2..]), content);
    }
}
