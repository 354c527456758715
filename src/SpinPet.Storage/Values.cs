using System.Buffers.Binary;
using System.Text;
using SpinPet.Core.Chain;
using SpinPet.Core.Events;
using SpinPet.Core.Ingest;

namespace SpinPet.Storage;

/// <summary>
/// Value layouts (docs/storage.md has them byte by byte). Every value starts with a format version byte so that a
/// later layout can be told apart from this one; integers are big-endian like the keys. Readers check lengths
/// and versions and throw <see cref="StoreCorruptedException"/> rather than index past the end.
/// </summary>
internal static class Values
{
    /// <summary>Version 2 adds the seq of the batch that stored the event; version-1 rows (no seq) read as seq 0.</summary>
    public const byte EventVersion = 2;
    public const byte EventVersion1 = 1;
    public const byte TransactionVersion = 1;
    public const byte RejectedVersion = 1;
    public const byte CheckpointVersion = 1;
    public const byte CountersVersion = 1;

    /// <summary>version ‖ kind ‖ block time i64 ‖ signature 64 ‖ seq u64, then the raw payload.</summary>
    public const int EventHeaderLength = 1 + 1 + 8 + TxSignature.Length + 8;

    /// <summary>Version 1: version ‖ kind ‖ block time i64 ‖ signature 64, then the raw payload.</summary>
    public const int EventHeaderLength1 = 1 + 1 + 8 + TxSignature.Length;

    /// <summary>version ‖ slot u64 ‖ txIndex u32 ‖ event count u16 ‖ flags u8.</summary>
    public const int TransactionLength = 1 + 8 + 4 + 2 + 1;

    /// <summary>version ‖ signature 64 ‖ block time i64 ‖ reason length u16, then the reason and the payload.</summary>
    public const int RejectedHeaderLength = 1 + TxSignature.Length + 8 + 2;

    /// <summary>version ‖ signature 64 ‖ slot u64 ‖ txIndex u32.</summary>
    public const int CheckpointLength = 1 + TxSignature.Length + 8 + 4;

    /// <summary>version ‖ events ‖ transactions ‖ failed ‖ rejected (u64 each) ‖ kind slots u8, then u64 per kind.</summary>
    public const int CountersHeaderLength = 1 + (4 * 8) + 1;

    /// <summary>
    /// Reasons are short decoder messages; 1,024 chars bound a hostile one to ≤ 3,075 UTF-8 bytes, well inside the
    /// u16 length prefix.
    /// </summary>
    public const int MaxReasonChars = 1024;

    private const byte FailedFlag = 1;

    /// <summary>Stored reasons were written from .NET strings; bytes that are not UTF-8 mean damage.</summary>
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static int EventLength(int payloadLength) => EventHeaderLength + payloadLength;

    public static int WriteEvent(
        Span<byte> destination, EventKind kind, long blockTime, in TxSignature signature, long seq, ReadOnlySpan<byte> payload)
    {
        destination[0] = EventVersion;
        destination[1] = (byte)kind;
        BinaryPrimitives.WriteInt64BigEndian(destination[2..], blockTime);
        signature.CopyTo(destination[10..]);
        BinaryPrimitives.WriteInt64BigEndian(destination[74..], seq);
        payload.CopyTo(destination[EventHeaderLength..]);
        return EventHeaderLength + payload.Length;
    }

    public static StoredEvent ReadEvent(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        var position = Keys.ReadPosition(ColumnFamilyNames.Events, key);
        if (value.Length > 0 && value[0] == EventVersion1)
        {
            // Stored before positions were recorded: at or before seq 0 of the epoch the database got when it was upgraded.
            CheckHeader(ColumnFamilyNames.Events, key, value, EventVersion1, EventHeaderLength1);
            return ReadEventFields(key, value, position, seq: 0, EventHeaderLength1);
        }
        CheckHeader(ColumnFamilyNames.Events, key, value, EventVersion, EventHeaderLength);
        long seq = BinaryPrimitives.ReadInt64BigEndian(value[74..]);
        if (seq < 0)
        {
            throw StoreCorruptedException.Row(ColumnFamilyNames.Events, key, $"seq {seq} is negative");
        }
        return ReadEventFields(key, value, position, seq, EventHeaderLength);
    }

    private static StoredEvent ReadEventFields(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, ChainPosition position, long seq, int headerLength)
    {
        byte kind = value[1];
        if (kind == 0)
        {
            throw StoreCorruptedException.Row(ColumnFamilyNames.Events, key, "event kind 0 is not a kind");
        }
        return new StoredEvent(
            new TxSignature(value.Slice(10, TxSignature.Length)),
            position,
            BinaryPrimitives.ReadInt64BigEndian(value[2..]),
            (EventKind)kind,
            value[headerLength..].ToArray())
        {
            Seq = seq,
        };
    }

    public static void WriteTransaction(Span<byte> destination, ulong slot, uint txIndex, ushort eventCount, bool failed)
    {
        destination[0] = TransactionVersion;
        BinaryPrimitives.WriteUInt64BigEndian(destination[1..], slot);
        BinaryPrimitives.WriteUInt32BigEndian(destination[9..], txIndex);
        BinaryPrimitives.WriteUInt16BigEndian(destination[13..], eventCount);
        destination[15] = failed ? FailedFlag : (byte)0;
    }

    public static TransactionRow ReadTransaction(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        CheckHeader(ColumnFamilyNames.Signatures, key, value, TransactionVersion, TransactionLength);
        return new TransactionRow(
            BinaryPrimitives.ReadUInt64BigEndian(value[1..]),
            BinaryPrimitives.ReadUInt32BigEndian(value[9..]),
            BinaryPrimitives.ReadUInt16BigEndian(value[13..]),
            (value[15] & FailedFlag) != 0);
    }

    /// <summary>An upper bound for <see cref="WriteRejected"/>'s output, before the reason is encoded.</summary>
    public static int MaxRejectedLength(string reason, int payloadLength) =>
        RejectedHeaderLength + Encoding.UTF8.GetMaxByteCount(Math.Min(reason.Length, MaxReasonChars)) + payloadLength;

    public static int WriteRejected(
        Span<byte> destination, in TxSignature signature, long blockTime, string reason, ReadOnlySpan<byte> payload)
    {
        destination[0] = RejectedVersion;
        signature.CopyTo(destination[1..]);
        BinaryPrimitives.WriteInt64BigEndian(destination[65..], blockTime);
        int reasonLength = Encoding.UTF8.GetBytes(TruncateReason(reason), destination[RejectedHeaderLength..]);
        BinaryPrimitives.WriteUInt16BigEndian(destination[73..], (ushort)reasonLength);
        int end = RejectedHeaderLength + reasonLength;
        payload.CopyTo(destination[end..]);
        return end + payload.Length;
    }

    public static StoredRejection ReadRejected(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        var position = Keys.ReadPosition(ColumnFamilyNames.Rejected, key);
        CheckHeader(ColumnFamilyNames.Rejected, key, value, RejectedVersion, RejectedHeaderLength);
        int reasonLength = BinaryPrimitives.ReadUInt16BigEndian(value[73..]);
        if (value.Length - RejectedHeaderLength < reasonLength)
        {
            throw StoreCorruptedException.Row(
                ColumnFamilyNames.Rejected, key, $"the reason needs {reasonLength} bytes, {value.Length - RejectedHeaderLength} remain");
        }
        string reason;
        try
        {
            reason = StrictUtf8.GetString(value.Slice(RejectedHeaderLength, reasonLength));
        }
        catch (DecoderFallbackException)
        {
            throw StoreCorruptedException.Row(ColumnFamilyNames.Rejected, key, "the reason is not UTF-8");
        }
        return new StoredRejection(
            new TxSignature(value.Slice(1, TxSignature.Length)),
            position,
            BinaryPrimitives.ReadInt64BigEndian(value[65..]),
            reason,
            value[(RejectedHeaderLength + reasonLength)..].ToArray());
    }

    public static void WriteCheckpoint(Span<byte> destination, in Checkpoint checkpoint)
    {
        destination[0] = CheckpointVersion;
        checkpoint.Signature.CopyTo(destination[1..]);
        BinaryPrimitives.WriteUInt64BigEndian(destination[65..], checkpoint.Slot);
        BinaryPrimitives.WriteUInt32BigEndian(destination[73..], checkpoint.TxIndex);
    }

    public static Checkpoint ReadCheckpoint(ReadOnlySpan<byte> value)
    {
        CheckHeader(ColumnFamilyNames.Meta, Keys.Checkpoint, value, CheckpointVersion, CheckpointLength);
        return new Checkpoint(
            new TxSignature(value.Slice(1, TxSignature.Length)),
            BinaryPrimitives.ReadUInt64BigEndian(value[65..]),
            BinaryPrimitives.ReadUInt32BigEndian(value[73..]));
    }

    public static int CountersLength(StoreCounters counters) => CountersHeaderLength + (8 * counters.KindSlots.Length);

    public static int WriteCounters(Span<byte> destination, StoreCounters counters)
    {
        var kinds = counters.KindSlots;
        destination[0] = CountersVersion;
        BinaryPrimitives.WriteUInt64BigEndian(destination[1..], counters.Events);
        BinaryPrimitives.WriteUInt64BigEndian(destination[9..], counters.Transactions);
        BinaryPrimitives.WriteUInt64BigEndian(destination[17..], counters.FailedTransactions);
        BinaryPrimitives.WriteUInt64BigEndian(destination[25..], counters.RejectedPayloads);
        destination[33] = (byte)kinds.Length;
        for (int i = 0; i < kinds.Length; i++)
        {
            BinaryPrimitives.WriteUInt64BigEndian(destination[(CountersHeaderLength + (8 * i))..], kinds[i]);
        }
        return CountersHeaderLength + (8 * kinds.Length);
    }

    public static StoreCounters ReadCounters(ReadOnlySpan<byte> value)
    {
        CheckHeader(ColumnFamilyNames.Meta, Keys.Counters, value, CountersVersion, CountersHeaderLength);
        int slots = value[33];
        if (value.Length != CountersHeaderLength + (8 * slots))
        {
            throw StoreCorruptedException.Row(
                ColumnFamilyNames.Meta, Keys.Counters, $"{slots} kind counters need {CountersHeaderLength + (8 * slots)} bytes, not {value.Length}");
        }
        // Keep every stored slot, even for kinds this version does not know, so that writing them back loses none.
        var byKind = new ulong[Math.Max(slots, StoreCounters.KnownKindSlots)];
        for (int i = 0; i < slots; i++)
        {
            byKind[i] = BinaryPrimitives.ReadUInt64BigEndian(value[(CountersHeaderLength + (8 * i))..]);
        }
        return new StoreCounters(
            BinaryPrimitives.ReadUInt64BigEndian(value[1..]),
            BinaryPrimitives.ReadUInt64BigEndian(value[9..]),
            BinaryPrimitives.ReadUInt64BigEndian(value[17..]),
            BinaryPrimitives.ReadUInt64BigEndian(value[25..]),
            byKind);
    }

    private static ReadOnlySpan<char> TruncateReason(string reason)
    {
        if (reason.Length <= MaxReasonChars)
        {
            return reason;
        }
        // Do not cut a surrogate pair in half: the half would encode as U+FFFD.
        int length = char.IsHighSurrogate(reason[MaxReasonChars - 1]) ? MaxReasonChars - 1 : MaxReasonChars;
        return reason.AsSpan(0, length);
    }

    private static void CheckHeader(
        string columnFamily, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, byte version, int minimumLength)
    {
        if (value.Length < minimumLength)
        {
            throw StoreCorruptedException.Row(columnFamily, key, $"the value is {value.Length} bytes, the layout needs at least {minimumLength}");
        }
        if (value[0] != version)
        {
            throw StoreCorruptedException.Row(columnFamily, key, $"format version {value[0]} is not the known version {version}");
        }
    }
}
