using System.Buffers.Binary;
using SpinPet.Core.Chain;
using SpinPet.Core.Events;
using SpinPet.Core.Ingest;
using static SpinPet.Storage.Tests.TestChain;

namespace SpinPet.Storage.Tests;

public sealed class EncodingTests
{
    [Fact]
    public void Position_keys_sort_bytewise_in_chain_order()
    {
        var random = new Random(7);
        var positions = Enumerable.Range(0, 2_000)
            .Select(_ => new ChainPosition(
                (ulong)random.NextInt64() >> random.Next(64),
                (uint)random.Next() >> random.Next(32),
                (ushort)random.Next(ushort.MaxValue + 1)))
            .ToList();

        var byKey = positions.OrderBy(Key, ByteOrder.Instance).ToList();

        Assert.Equal(positions.Order().ToList(), byKey);
        Assert.All(positions, p => Assert.Equal(p, Keys.ReadPosition("events", Key(p))));
    }

    [Fact]
    public void A_position_key_is_big_endian_slot_then_tx_index_then_event_index()
    {
        var key = Key(new ChainPosition(0x0102030405060708, 0x090A0B0C, 0x0D0E));

        Assert.Equal(Convert.FromHexString("0102030405060708090A0B0C0D0E"), key);
    }

    [Fact]
    public void An_event_value_is_version_kind_block_time_signature_seq_then_payload()
    {
        var signature = Signature(3);
        var value = new byte[Values.EventLength(3)];

        Values.WriteEvent(value, EventKind.LongShort, -2, signature, seq: 0x0102030405, new byte[] { 7, 8, 9 });

        Assert.Equal(2, value[0]);
        Assert.Equal((byte)EventKind.LongShort, value[1]);
        Assert.Equal(-2L, BinaryPrimitives.ReadInt64BigEndian(value.AsSpan(2)));
        Assert.Equal(signature.AsSpan().ToArray(), value[10..74]);
        Assert.Equal(0x0102030405L, BinaryPrimitives.ReadInt64BigEndian(value.AsSpan(74)));
        Assert.Equal(new byte[] { 7, 8, 9 }, value[82..]);
        Assert.Equal(0x0102030405L, Values.ReadEvent(Key(new ChainPosition(1, 2, 3)), value).Seq);
    }

    [Fact]
    public void A_version_1_event_value_from_before_positions_reads_with_seq_0()
    {
        var signature = Signature(3);
        // version 1 ‖ kind ‖ block time ‖ signature ‖ payload: no seq.
        var value = new byte[Values.EventHeaderLength1 + 3];
        value[0] = 1;
        value[1] = (byte)EventKind.BuySell;
        BinaryPrimitives.WriteInt64BigEndian(value.AsSpan(2), 1_700_000_000);
        signature.CopyTo(value.AsSpan(10));
        new byte[] { 7, 8, 9 }.CopyTo(value, Values.EventHeaderLength1);

        var stored = Values.ReadEvent(Key(new ChainPosition(1, 2, 3)), value);

        Assert.Equal(0, stored.Seq);
        Assert.Equal(signature, stored.Signature);
        Assert.Equal(1_700_000_000, stored.BlockTime);
        Assert.Equal(new byte[] { 7, 8, 9 }, stored.Payload.ToArray());
    }

    [Fact]
    public void An_event_value_with_an_unknown_version_is_reported_as_corruption()
    {
        var value = new byte[Values.EventLength(0)];
        Values.WriteEvent(value, EventKind.BuySell, 1, Signature(1), seq: 1, []);
        value[0] = 3;

        var error = Assert.Throws<StoreCorruptedException>(() => Values.ReadEvent(Key(new ChainPosition(1, 2, 3)), value));
        Assert.Contains("version 3", error.Message, StringComparison.Ordinal);
        Assert.Contains("events", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(81)]
    public void A_truncated_event_value_is_reported_as_corruption(int length)
    {
        var value = new byte[length];
        if (length > 0)
        {
            value[0] = Values.EventVersion;
        }

        Assert.Throws<StoreCorruptedException>(() => Values.ReadEvent(Key(new ChainPosition(1, 2, 3)), value));
    }

    [Fact]
    public void A_key_of_the_wrong_length_is_reported_as_corruption()
    {
        var value = new byte[Values.EventLength(0)];
        Values.WriteEvent(value, EventKind.BuySell, 1, Signature(1), seq: 1, []);

        Assert.Throws<StoreCorruptedException>(() => Values.ReadEvent(new byte[13], value));
    }

    [Fact]
    public void A_rejected_value_whose_reason_runs_past_the_end_is_reported_as_corruption()
    {
        var value = new byte[Values.MaxRejectedLength("why", 2)];
        int length = Values.WriteRejected(value, Signature(1), 5, "why", new byte[] { 1, 2 });
        BinaryPrimitives.WriteUInt16BigEndian(value.AsSpan(73), 6);

        Assert.Throws<StoreCorruptedException>(() => Values.ReadRejected(Key(new ChainPosition(1, 0, 0)), value.AsSpan(0, length)));
    }

    [Fact]
    public void Corrupted_checkpoint_and_counters_values_are_reported_as_corruption()
    {
        var checkpoint = new byte[Values.CheckpointLength];
        Values.WriteCheckpoint(checkpoint, new Checkpoint(Signature(1), 9, 9));
        var counters = new byte[Values.CountersLength(StoreCounters.Empty)];
        Values.WriteCounters(counters, StoreCounters.Empty);

        Assert.Equal(new Checkpoint(Signature(1), 9, 9), Values.ReadCheckpoint(checkpoint));
        Assert.Equal(StoreCounters.Empty, Values.ReadCounters(counters));
        Assert.Throws<StoreCorruptedException>(() => Values.ReadCheckpoint(checkpoint.AsSpan(0, 76)));
        Assert.Throws<StoreCorruptedException>(() => Values.ReadCounters(counters.AsSpan(0, counters.Length - 1)));
    }

    [Fact]
    public void Counters_for_kinds_this_version_does_not_know_are_kept()
    {
        var stored = new StoreCounters(1, 2, 0, 0, [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5]);
        var value = new byte[Values.CountersLength(stored)];
        Values.WriteCounters(value, stored);

        var read = Values.ReadCounters(value);

        Assert.Equal(5UL, read.EventsOf((EventKind)10));
        Assert.Equal(stored, read);
    }

    [Fact]
    public void A_corrupted_event_row_in_the_store_surfaces_as_a_store_error_not_an_index_error()
    {
        using var fixture = new StoreFixture();
        var transaction = Transaction(1, 10, 0, BuySell(0, 1, 1));

        // A 5-byte value where an event row belongs.
        fixture.Store.ApplyWithRow([transaction], CheckpointOf(transaction), ColumnFamilyNames.Events, Key(new ChainPosition(11, 0, 0)), [1, 2, 3, 4, 5]);

        Assert.Throws<StoreCorruptedException>(() => fixture.Store.Events.ReadEvents().ToList());
        // The reads before the bad row still work.
        Assert.Equal(new ChainPosition(10, 0, 0), fixture.Store.Events.ReadEvents(limit: 1).Single().Position);
    }

    private static byte[] Key(ChainPosition position)
    {
        var key = new byte[Keys.PositionLength];
        Keys.WritePosition(key, position);
        return key;
    }

    private sealed class ByteOrder : IComparer<byte[]>
    {
        public static readonly ByteOrder Instance = new();

        public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
    }
}
