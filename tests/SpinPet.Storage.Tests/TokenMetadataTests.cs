using SpinPet.Storage.Tests.Derived;
using static SpinPet.Storage.Tests.TestChain;

namespace SpinPet.Storage.Tests;

/// <summary>The token_metadata family: fetched documents, permanent failures and give-ups, kept across reopen and rebuild.</summary>
public sealed class TokenMetadataTests
{
    [Fact]
    public void Metadata_round_trips_and_survives_a_reopen_and_a_rebuild_of_the_derived_rows()
    {
        using var fixture = new StoreFixture();
        var chain = new DerivedChain();
        var created = chain.Tx(1, 10, 0, DerivedChain.Created(1, 10));
        fixture.Store.Apply([created], CheckpointOf(created));
        var fetched = new StoredTokenMetadata(TokenMetadataState.Fetched, 1_764_062_400_123, """{"name":"小狗币 🚀"}""");
        var failed = new StoredTokenMetadata(TokenMetadataState.Failed, 1_764_062_400_456, "HTTP 404");
        var gaveUp = new StoredTokenMetadata(TokenMetadataState.GaveUp, 1_764_062_400_789, "HTTP 503 (6 attempts)");

        Assert.Null(fixture.Store.TokenMetadata.Get(Key(1)));
        fixture.Store.TokenMetadata.Put(Key(1), fetched);
        fixture.Store.TokenMetadata.Put(Key(2), failed);
        fixture.Store.TokenMetadata.Put(Key(3), gaveUp);
        Assert.Equal(fetched, fixture.Store.TokenMetadata.Get(Key(1)));

        var store = fixture.Reopen();
        // What a rebuild of the index rows does to storage: every index family emptied (token_metadata is not one).
        using (var write = store.BeginWrite(store.Meta.Position.Next()))
        {
            store.Indexes.StageClear(write);
            write.Commit();
        }
        Assert.Equal(fetched, store.TokenMetadata.Get(Key(1)));
        Assert.Equal(failed, store.TokenMetadata.Get(Key(2)));
        Assert.Equal(gaveUp, store.TokenMetadata.Get(Key(3)));

        store.TokenMetadata.Put(Key(2), fetched);
        Assert.Equal(fetched, store.TokenMetadata.Get(Key(2)));
    }

    [Fact]
    public void A_metadata_row_with_a_wrong_length_or_version_is_reported_as_corruption()
    {
        using var fixture = new StoreFixture();
        fixture.Store.TokenMetadata.Put(Key(1), new StoredTokenMetadata(TokenMetadataState.Fetched, 1, "{}"));
        fixture.Store.Dispose();
        var (options, families) = StoreOptions.Create(fixture.Path);
        using (var db = RocksDbSharp.RocksDb.Open(options, fixture.Path, families))
        {
            var family = db.GetColumnFamily(ColumnFamilyNames.TokenMetadata);
            var value = db.Get(Key(1).AsSpan().ToArray(), family);
            db.Put(Key(2).AsSpan().ToArray(), value[..^1], family);
            value[0] = 9;
            db.Put(Key(3).AsSpan().ToArray(), value, family);
        }

        var store = fixture.Reopen();
        Assert.Contains("header says", Assert.Throws<StoreCorruptedException>(() => store.TokenMetadata.Get(Key(2))).Message, StringComparison.Ordinal);
        Assert.Contains("format version 9", Assert.Throws<StoreCorruptedException>(() => store.TokenMetadata.Get(Key(3))).Message, StringComparison.Ordinal);
    }
}
