using System.Buffers.Binary;
using System.Text;
using System.Text.Unicode;
using SpinPet.Core.Chain;

namespace SpinPet.Solana.Decoding;

/// <summary>
/// Reads Borsh values from untrusted bytes. Every read either succeeds and advances, or fails, leaves the
/// position where it was and records why in <see cref="Error"/>; nothing throws and nothing allocates except
/// the strings it returns.
/// </summary>
public ref struct BorshReader
{
    private readonly ReadOnlySpan<byte> _data;
    private int _position;
    private DecodeStatus _error;

    public BorshReader(ReadOnlySpan<byte> data)
    {
        _data = data;
    }

    /// <summary>Bytes consumed so far; after a failed read, the offset of the value that failed.</summary>
    public readonly int Position => _position;

    public readonly int Remaining => _data.Length - _position;

    /// <summary>Why the last failed read failed (TooShort, InvalidBool, InvalidUtf8); Ok while none has.</summary>
    public readonly DecodeStatus Error => _error;

    public bool TryReadU8(out byte value)
    {
        if ((uint)_position < (uint)_data.Length)
        {
            value = _data[_position];
            _position++;
            return true;
        }
        value = 0;
        return Fail(DecodeStatus.TooShort);
    }

    public bool TryReadU16(out ushort value)
    {
        if (BinaryPrimitives.TryReadUInt16LittleEndian(_data[_position..], out value))
        {
            _position += sizeof(ushort);
            return true;
        }
        return Fail(DecodeStatus.TooShort);
    }

    public bool TryReadU32(out uint value)
    {
        if (BinaryPrimitives.TryReadUInt32LittleEndian(_data[_position..], out value))
        {
            _position += sizeof(uint);
            return true;
        }
        return Fail(DecodeStatus.TooShort);
    }

    public bool TryReadU64(out ulong value)
    {
        if (BinaryPrimitives.TryReadUInt64LittleEndian(_data[_position..], out value))
        {
            _position += sizeof(ulong);
            return true;
        }
        return Fail(DecodeStatus.TooShort);
    }

    public bool TryReadU128(out UInt128 value)
    {
        if (BinaryPrimitives.TryReadUInt128LittleEndian(_data[_position..], out value))
        {
            _position += 16;
            return true;
        }
        return Fail(DecodeStatus.TooShort);
    }

    /// <summary>Borsh bools are exactly 0 or 1; any other byte is an error, not "true".</summary>
    public bool TryReadBool(out bool value)
    {
        value = false;
        if ((uint)_position >= (uint)_data.Length)
        {
            return Fail(DecodeStatus.TooShort);
        }
        byte b = _data[_position];
        if (b > 1)
        {
            return Fail(DecodeStatus.InvalidBool);
        }
        value = b == 1;
        _position++;
        return true;
    }

    public bool TryReadPublicKey(out PublicKey value)
    {
        if (Remaining < PublicKey.Length)
        {
            value = default;
            return Fail(DecodeStatus.TooShort);
        }
        value = new PublicKey(_data.Slice(_position, PublicKey.Length));
        _position += PublicKey.Length;
        return true;
    }

    /// <summary>A u32 LE byte length, then that many bytes of well-formed UTF-8.</summary>
    public bool TryReadString(out string value)
    {
        value = string.Empty;
        var rest = _data[_position..];
        if (!BinaryPrimitives.TryReadUInt32LittleEndian(rest, out uint length))
        {
            return Fail(DecodeStatus.TooShort);
        }
        // The length is checked against the bytes actually present before anything is sized from it, so a
        // hostile 4 GB length costs a compare, not an allocation. Unsigned compare: no int overflow.
        if (length > (uint)(rest.Length - sizeof(uint)))
        {
            return Fail(DecodeStatus.TooShort);
        }
        var bytes = rest.Slice(sizeof(uint), (int)length);
        // Validate first: Encoding.UTF8 would silently substitute U+FFFD and we would store a wrong name.
        if (!Utf8.IsValid(bytes))
        {
            return Fail(DecodeStatus.InvalidUtf8);
        }
        if (length != 0)
        {
            value = Encoding.UTF8.GetString(bytes);
        }
        _position += sizeof(uint) + (int)length;
        return true;
    }

    private bool Fail(DecodeStatus error)
    {
        _error = error;
        return false;
    }
}
