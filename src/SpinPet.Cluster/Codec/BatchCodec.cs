using System.Buffers.Binary;
using System.Text;
using SpinPet.Core.Chain;
using SpinPet.Core.Ingest;
using SpinPet.Core.Stream;
using SpinPet.Indexer.Events;

namespace SpinPet.Cluster.Codec;

/// <summary>
/// A <see cref="StreamBatch"/> as bytes on the cluster stream (docs/architecture.md, "The cluster"): versioned,
/// big-endian, one encoding per batch, so every node decodes the same batch from the same bytes. Events travel as
/// their raw payloads and are decoded again on the receiving side with the same decoder the ingest used
/// (<see cref="StoredEvents"/>, the indexer's one reader of payloads): the payload is what is stored anyway, and decoding
/// is deterministic.
/// </summary>
/// <remarks>
/// Layout (version 1): version u8 ‖ id (u16 length, UTF-8) ‖ flags u8 (1 = checkpoint, 2 = finalize-by) ‖
/// [checkpoint: signature 64 ‖ slot u64 ‖ tx index u32] ‖ [finalize-by i64] ‖ transaction count u32 ‖ per transaction:
/// signature 64 ‖ slot u64 ‖ tx index u32 ‖ block time i64 ‖ failed u8 ‖ event count u16 ‖ per event: index u16 ‖
/// payload (u32 length, bytes) ‖ rejected count u16 ‖ per rejected payload: index u16 ‖ reason (u16 length, UTF-8) ‖
/// payload (u32 length, bytes).
/// </remarks>
public static class BatchCodec
{
    public const byte Version = 1;

    private const byte HasCheckpoint = 1;
    private const byte HasFinalizeBy = 2;
    private const int CheckpointLength = TxSignature.Length + 8 + 4;
    // Signature, slot, tx index, block time, failed, the two counts: the least one transaction takes.
    private const int MinTransactionLength = TxSignature.Length + 8 + 4 + 8 + 1 + 2 + 2;

    public static byte[] Encode(StreamBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var output = new byte[EncodedLength(batch)];
        var writer = new Writer(output);
        writer.U8(Version);
        writer.ShortText(batch.Id);
        writer.U8((byte)((batch.Checkpoint is null ? 0 : HasCheckpoint) | (batch.FinalizeBy is null ? 0 : HasFinalizeBy)));
        if (batch.Checkpoint is { } checkpoint)
        {
            writer.Signature(checkpoint.Signature);
            writer.U64(checkpoint.Slot);
            writer.U32(checkpoint.TxIndex);
        }
        if (batch.FinalizeBy is { } finalizeBy)
        {
            writer.I64(finalizeBy);
        }
        writer.U32((uint)batch.Transactions.Count);
        foreach (var tx in batch.Transactions)
        {
            writer.Signature(tx.Signature);
            writer.U64(tx.Slot);
            writer.U32(tx.TxIndex);
            writer.I64(tx.BlockTime);
            writer.U8(tx.Failed ? (byte)1 : (byte)0);
            writer.U16(checked((ushort)tx.Events.Count));
            foreach (var ev in tx.Events)
            {
                writer.U16(ev.Index);
                writer.Bytes(ev.Payload.Span);
            }
            writer.U16(checked((ushort)tx.Rejected.Count));
            foreach (var rejected in tx.Rejected)
            {
                writer.U16(rejected.Index);
                writer.ShortText(rejected.Reason);
                writer.Bytes(rejected.Payload.Span);
            }
        }
        if (writer.Written != output.Length)
        {
            throw new InvalidOperationException($"Encoded {writer.Written} bytes of the {output.Length} computed.");
        }
        return output;
    }

    /// <summary>Decodes what <see cref="Encode"/> wrote; anything else throws <see cref="BatchCodecException"/>.</summary>
    public static StreamBatch Decode(ReadOnlySpan<byte> bytes)
    {
        var reader = new Reader(bytes);
        byte version = reader.U8();
        if (version != Version)
        {
            throw new BatchCodecException($"batch encoding version {version} is not {Version}");
        }
        string id = reader.ShortText();
        byte flags = reader.U8();
        if ((flags & ~(HasCheckpoint | HasFinalizeBy)) != 0)
        {
            throw new BatchCodecException($"unknown batch flags {flags}");
        }
        Checkpoint? checkpoint = (flags & HasCheckpoint) != 0 ? new Checkpoint(reader.Signature(), reader.U64(), reader.U32()) : null;
        long? finalizeBy = (flags & HasFinalizeBy) != 0 ? reader.I64() : null;
        uint count = reader.U32();
        if (count > reader.Remaining / MinTransactionLength)
        {
            throw new BatchCodecException($"{count} transactions cannot fit in {reader.Remaining} bytes");
        }
        var transactions = new IngestedTransaction[count];
        for (int i = 0; i < transactions.Length; i++)
        {
            transactions[i] = ReadTransaction(ref reader);
        }
        if (reader.Remaining != 0)
        {
            throw new BatchCodecException($"{reader.Remaining} bytes after the batch's last transaction");
        }
        return new StreamBatch(transactions, checkpoint, finalizeBy, id);
    }

    private static IngestedTransaction ReadTransaction(ref Reader reader)
    {
        var signature = reader.Signature();
        ulong slot = reader.U64();
        uint txIndex = reader.U32();
        long blockTime = reader.I64();
        byte failed = reader.U8();
        if (failed > 1)
        {
            throw new BatchCodecException($"failed flag {failed} of transaction {signature}");
        }
        var events = new DecodedEvent[reader.U16()];
        for (int i = 0; i < events.Length; i++)
        {
            ushort index = reader.U16();
            byte[] payload = reader.Bytes();
            // The ingest put it here because it decoded; the same decoder gives the same event on every node.
            var ev = StoredEvents.Read(payload) ?? throw new BatchCodecException($"event {index} of transaction {signature} does not decode");
            events[i] = new DecodedEvent(index, payload, ev);
        }
        var rejected = new RejectedPayload[reader.U16()];
        for (int i = 0; i < rejected.Length; i++)
        {
            ushort index = reader.U16();
            string reason = reader.ShortText();
            rejected[i] = new RejectedPayload(index, reason, reader.Bytes());
        }
        return new IngestedTransaction(signature, slot, txIndex, blockTime, failed == 1, events, rejected);
    }

    private static int EncodedLength(StreamBatch batch)
    {
        long length = 1 + 2 + Encoding.UTF8.GetByteCount(batch.Id) + 1 + (batch.Checkpoint is null ? 0 : CheckpointLength)
            + (batch.FinalizeBy is null ? 0 : 8) + 4;
        foreach (var tx in batch.Transactions)
        {
            length += MinTransactionLength;
            foreach (var ev in tx.Events)
            {
                length += 2 + 4 + ev.Payload.Length;
            }
            foreach (var rejected in tx.Rejected)
            {
                length += 2 + 2 + Encoding.UTF8.GetByteCount(rejected.Reason) + 4 + rejected.Payload.Length;
            }
        }
        // A batch is at most 512 transactions of ~1-5 KB of logs: megabytes, never near 2 GiB.
        return checked((int)length);
    }

    private ref struct Writer(Span<byte> output)
    {
        private readonly Span<byte> _output = output;

        public int Written { get; private set; }

        public void U8(byte value) => _output[Written++] = value;

        public void U16(ushort value) => Advance(2, BinaryPrimitives.TryWriteUInt16BigEndian(_output[Written..], value));

        public void U32(uint value) => Advance(4, BinaryPrimitives.TryWriteUInt32BigEndian(_output[Written..], value));

        public void U64(ulong value) => Advance(8, BinaryPrimitives.TryWriteUInt64BigEndian(_output[Written..], value));

        public void I64(long value) => Advance(8, BinaryPrimitives.TryWriteInt64BigEndian(_output[Written..], value));

        public void Signature(TxSignature signature)
        {
            signature.CopyTo(_output[Written..]);
            Written += TxSignature.Length;
        }

        public void ShortText(string text)
        {
            int length = Encoding.UTF8.GetByteCount(text);
            U16(checked((ushort)length));
            Written += Encoding.UTF8.GetBytes(text, _output[Written..]);
        }

        public void Bytes(ReadOnlySpan<byte> bytes)
        {
            U32((uint)bytes.Length);
            bytes.CopyTo(_output[Written..]);
            Written += bytes.Length;
        }

        private void Advance(int length, bool written)
        {
            if (!written)
            {
                throw new InvalidOperationException("The encoding outgrew its computed length.");
            }
            Written += length;
        }
    }

    private ref struct Reader(ReadOnlySpan<byte> input)
    {
        private readonly ReadOnlySpan<byte> _input = input;
        private int _read;

        public readonly int Remaining => _input.Length - _read;

        public byte U8() => Take(1)[0];

        public ushort U16() => BinaryPrimitives.ReadUInt16BigEndian(Take(2));

        public uint U32() => BinaryPrimitives.ReadUInt32BigEndian(Take(4));

        public ulong U64() => BinaryPrimitives.ReadUInt64BigEndian(Take(8));

        public long I64() => BinaryPrimitives.ReadInt64BigEndian(Take(8));

        public TxSignature Signature() => new(Take(TxSignature.Length));

        public string ShortText()
        {
            var bytes = Take(U16());
            try
            {
                return new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(bytes);
            }
            catch (DecoderFallbackException e)
            {
                throw new BatchCodecException("a text field is not UTF-8: " + e.Message);
            }
        }

        public byte[] Bytes() => Take(checked((int)Math.Min(U32(), int.MaxValue))).ToArray();

        private ReadOnlySpan<byte> Take(int length)
        {
            if (length > Remaining)
            {
                throw new BatchCodecException($"the batch ends {length - Remaining} bytes early, at byte {_read}");
            }
            var slice = _input.Slice(_read, length);
            _read += length;
            return slice;
        }
    }
}
