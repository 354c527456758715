using SpinPet.Cluster.Codec;
using SpinPet.Core.Ingest;
using SpinPet.Core.Stream;
using static SpinPet.Storage.Tests.TestChain;

namespace SpinPet.Cluster.Tests;

public sealed class BatchCodecTests
{
    /// <summary>Every field a batch carries: events, rejected payloads, a failed transaction, checkpoint and clock.</summary>
    internal static StreamBatch Full() =>
        new([
                Transaction(1, 10, 0, BuySell(0, 5, 1_000), ForceLiquidate(1)),
                WithRejected(2, 10, 1, [BuySell(1, 7, 2_000, mint: 2)], Rejected(0, "unknown discriminator"), Rejected(2, "short body: ünïcode", length: 3)),
                Failed(3, 11, 0),
                new IngestedTransaction(Signature(4), 12, 3, 1_700_000_123, Failed: false, [], []),
            ],
            CheckpointOf(Failed(3, 11, 0)),
            FinalizeBy: 1_700_000_100,
            Id: "batch-ünïcode-id");

    [Fact]
    public void A_batch_survives_the_round_trip_and_encodes_to_the_same_bytes_again()
    {
        var batch = Full();

        var bytes = BatchCodec.Encode(batch);
        var decoded = BatchCodec.Decode(bytes);

        Assert.Equal(bytes, BatchCodec.Encode(decoded));
        Assert.Equal(batch.Id, decoded.Id);
        Assert.Equal(batch.Checkpoint, decoded.Checkpoint);
        Assert.Equal(batch.FinalizeBy, decoded.FinalizeBy);
        Assert.Equal(batch.Transactions.Count, decoded.Transactions.Count);
        for (int i = 0; i < batch.Transactions.Count; i++)
        {
            var (sent, got) = (batch.Transactions[i], decoded.Transactions[i]);
            Assert.Equal((sent.Signature, sent.Slot, sent.TxIndex, sent.BlockTime, sent.Failed), (got.Signature, got.Slot, got.TxIndex, got.BlockTime, got.Failed));
            Assert.Equal(sent.Events.Select(e => (e.Index, Convert.ToHexString(e.Payload.Span), e.Event)), got.Events.Select(e => (e.Index, Convert.ToHexString(e.Payload.Span), e.Event)));
            Assert.Equal(sent.Rejected.Select(r => (r.Index, r.Reason, Convert.ToHexString(r.Payload.Span))), got.Rejected.Select(r => (r.Index, r.Reason, Convert.ToHexString(r.Payload.Span))));
        }
    }

    [Fact]
    public void A_clock_alone_and_an_empty_batch_round_trip()
    {
        foreach (var batch in new[] { StreamBatch.FinalizeAt(1_700_000_000), StreamBatch.Of([], null) })
        {
            var decoded = BatchCodec.Decode(BatchCodec.Encode(batch));
            Assert.Equal((batch.Id, batch.Checkpoint, batch.FinalizeBy), (decoded.Id, decoded.Checkpoint, decoded.FinalizeBy));
            Assert.Empty(decoded.Transactions);
        }
    }

    [Fact]
    public void Every_truncation_and_a_trailing_byte_are_refused_with_a_codec_error()
    {
        var bytes = BatchCodec.Encode(Full());

        for (int length = 0; length < bytes.Length; length++)
        {
            Assert.Throws<BatchCodecException>(() => BatchCodec.Decode(bytes.AsSpan(0, length)));
        }
        Assert.Throws<BatchCodecException>(() => BatchCodec.Decode([.. bytes, 0]));
    }

    [Fact]
    public void Another_version_and_an_event_payload_that_does_not_decode_are_refused()
    {
        var bytes = BatchCodec.Encode(Full());
        var otherVersion = bytes.ToArray();
        otherVersion[0] = 2;
        var badEvent = BatchCodec.Encode(new StreamBatch([new IngestedTransaction(Signature(1), 1, 0, 1, false, [BuySell(0, 1, 1) with { Payload = new byte[3] }], [])], null, null, "x"));

        Assert.Contains("version 2", Assert.Throws<BatchCodecException>(() => BatchCodec.Decode(otherVersion)).Message, StringComparison.Ordinal);
        Assert.Contains("does not decode", Assert.Throws<BatchCodecException>(() => BatchCodec.Decode(badEvent)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_split_batch_joins_back_to_its_bytes_part_by_part()
    {
        var bytes = BatchCodec.Encode(Full());
        var parts = BatchParts.Split(bytes, partSize: 100);
        var assembler = new BatchAssembler();

        Assert.Equal((bytes.Length + 99) / 100, parts.Count);
        byte[]? whole = null;
        for (int i = 0; i < parts.Count; i++)
        {
            Assert.Null(whole);
            whole = assembler.Add("b", i + 1, parts.Count, parts[i], out var dropped);
            Assert.Null(dropped);
        }
        Assert.Equal(bytes, whole);
        Assert.Null(assembler.Pending);
    }

    [Fact]
    public void An_unfinished_batch_is_dropped_by_the_next_first_part_and_an_orphan_part_is_dropped()
    {
        var assembler = new BatchAssembler();

        Assert.Null(assembler.Add("a", 1, 3, new byte[] { 1 }, out _));
        Assert.Equal([9], assembler.Add("b", 1, 1, new byte[] { 9 }, out var dropped));
        Assert.Equal("a", dropped);
        // Part 2 of a batch whose part 1 was not seen, then part 2 of "c" out of turn.
        Assert.Null(assembler.Add("x", 2, 2, new byte[] { 2 }, out dropped));
        Assert.Equal("x", dropped);
        Assert.Null(assembler.Add("c", 1, 3, new byte[] { 1 }, out _));
        Assert.Null(assembler.Add("c", 3, 3, new byte[] { 3 }, out dropped));
        Assert.Equal("c", dropped);
        Assert.Null(assembler.Pending);
    }

    [Theory]
    [InlineData("1/1", true)]
    [InlineData("3/7", true)]
    [InlineData("0/1", false)]
    [InlineData("2/1", false)]
    [InlineData("1/", false)]
    [InlineData("-1/2", false)]
    [InlineData("1/5000", false)]
    [InlineData(null, false)]
    public void Part_headers_are_parsed_strictly(string? header, bool valid)
    {
        Assert.Equal(valid, BatchParts.TryParse(header, out _, out _));
    }

    [Fact]
    public void A_part_leaves_4_KiB_of_the_servers_max_payload_for_headers()
    {
        Assert.Equal(1_048_576 - 4_096, BatchParts.PartSize(1_048_576));
        Assert.Throws<ArgumentOutOfRangeException>(() => BatchParts.PartSize(4_096));
    }
}
