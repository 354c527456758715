using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using SpinPet.Core.Chain;

namespace SpinPet.ChainSimulator.Borsh;

/// <summary>
/// Writes Borsh as Anchor lays out event fields: little-endian integers, bool as one byte 0/1, a pubkey as its
/// 32 raw bytes, a string as a u32 LE byte length followed by UTF-8.
/// </summary>
internal sealed class BorshWriter
{
    private readonly ArrayBufferWriter<byte> _buffer;

    public BorshWriter(int initialCapacity = 256) => _buffer = new ArrayBufferWriter<byte>(initialCapacity);

    public int Length => _buffer.WrittenCount;

    public void WriteBytes(ReadOnlySpan<byte> bytes) => _buffer.Write(bytes);

    public void WriteU8(byte value)
    {
        _buffer.GetSpan(1)[0] = value;
        _buffer.Advance(1);
    }

    public void WriteBool(bool value) => WriteU8(value ? (byte)1 : (byte)0);

    public void WriteU16(ushort value)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(_buffer.GetSpan(2), value);
        _buffer.Advance(2);
    }

    public void WriteU32(uint value)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(_buffer.GetSpan(4), value);
        _buffer.Advance(4);
    }

    public void WriteU64(ulong value)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(_buffer.GetSpan(8), value);
        _buffer.Advance(8);
    }

    public void WriteU128(UInt128 value)
    {
        BinaryPrimitives.WriteUInt128LittleEndian(_buffer.GetSpan(16), value);
        _buffer.Advance(16);
    }

    public void WritePublicKey(PublicKey key)
    {
        key.CopyTo(_buffer.GetSpan(PublicKey.Length));
        _buffer.Advance(PublicKey.Length);
    }

    public void WriteString(string value)
    {
        int byteCount = Encoding.UTF8.GetByteCount(value);
        WriteU32((uint)byteCount);
        int written = Encoding.UTF8.GetBytes(value, _buffer.GetSpan(byteCount));
        _buffer.Advance(written);
    }

    public byte[] ToArray() => _buffer.WrittenSpan.ToArray();
}
