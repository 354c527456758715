using SpinPet.Core.Chain;
using SpinPet.Solana.Decoding;

namespace SpinPet.Solana.Tests.Decoding;

public sealed class BorshReaderTests
{
    [Fact]
    public void Integers_are_read_little_endian_in_sequence()
    {
        byte[] data =
        [
            0xAB,
            0x34, 0x12,
            0x78, 0x56, 0x34, 0x12,
            0xEF, 0xCD, 0xAB, 0x89, 0x67, 0x45, 0x23, 0x01,
            0x01, 0, 0, 0, 0, 0, 0, 0, 0x02, 0, 0, 0, 0, 0, 0, 0x80,
        ];
        var reader = new BorshReader(data);

        Assert.True(reader.TryReadU8(out byte u8));
        Assert.True(reader.TryReadU16(out ushort u16));
        Assert.True(reader.TryReadU32(out uint u32));
        Assert.True(reader.TryReadU64(out ulong u64));
        Assert.True(reader.TryReadU128(out UInt128 u128));

        Assert.Equal(0xAB, u8);
        Assert.Equal(0x1234, u16);
        Assert.Equal(0x12345678u, u32);
        Assert.Equal(0x0123456789ABCDEFUL, u64);
        Assert.Equal(new UInt128(0x8000000000000002UL, 1), u128);
        Assert.Equal(0, reader.Remaining);
        Assert.Equal(data.Length, reader.Position);
        Assert.Equal(DecodeStatus.Ok, reader.Error);
    }

    [Fact]
    public void A_read_past_the_end_fails_and_leaves_the_position()
    {
        var reader = new BorshReader([1, 2, 3]);

        Assert.False(reader.TryReadU32(out _));
        Assert.Equal(DecodeStatus.TooShort, reader.Error);
        Assert.Equal(0, reader.Position);
        Assert.True(reader.TryReadU16(out ushort value));
        Assert.Equal(0x0201, value);
        Assert.False(reader.TryReadU64(out _));
        Assert.False(reader.TryReadU128(out _));
        Assert.False(reader.TryReadPublicKey(out _));
        Assert.True(reader.TryReadU8(out _));
        Assert.False(reader.TryReadU8(out _));
        Assert.False(reader.TryReadBool(out _));
        Assert.Equal(DecodeStatus.TooShort, reader.Error);
        Assert.Equal(3, reader.Position);
    }

    [Theory]
    [InlineData(0, true, false)]
    [InlineData(1, true, true)]
    [InlineData(2, false, false)]
    [InlineData(255, false, false)]
    public void Bool_is_exactly_0_or_1(byte raw, bool ok, bool expected)
    {
        var reader = new BorshReader([raw]);

        Assert.Equal(ok, reader.TryReadBool(out bool value));
        Assert.Equal(expected, value);
        Assert.Equal(ok ? DecodeStatus.Ok : DecodeStatus.InvalidBool, reader.Error);
        Assert.Equal(ok ? 1 : 0, reader.Position);
    }

    [Fact]
    public void Public_key_is_32_raw_bytes()
    {
        var key = PublicKey.Parse(TestPayloads.ProgramId);
        byte[] data = [.. key.AsSpan(), 9];
        var reader = new BorshReader(data);

        Assert.True(reader.TryReadPublicKey(out var read));
        Assert.Equal(key, read);
        Assert.Equal(1, reader.Remaining);
    }

    [Theory]
    [InlineData("")]
    [InlineData("Hello")]
    [InlineData("狗狗币")]
    [InlineData("emoji 🚀 rocket")]
    [InlineData("nul \0 inside")]
    public void String_is_u32_length_then_utf8(string text)
    {
        byte[] utf8 = TestPayloads.Utf8(text);
        byte[] data = [.. BitConverter.GetBytes((uint)utf8.Length), .. utf8, 0x42];
        var reader = new BorshReader(data);

        Assert.True(reader.TryReadString(out string value));
        Assert.Equal(text, value);
        Assert.True(reader.TryReadU8(out byte next));
        Assert.Equal(0x42, next);
    }

    [Theory]
    [InlineData(new byte[] { 5, 0, 0, 0, (byte)'a', (byte)'b' })]  // length beyond the bytes left
    [InlineData(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 1, 2, 3 })]  // 4 GB length
    [InlineData(new byte[] { 1, 0, 0 })]                           // length prefix itself cut
    public void String_with_a_length_beyond_the_data_is_too_short(byte[] data)
    {
        var reader = new BorshReader(data);

        Assert.False(reader.TryReadString(out string value));
        Assert.Equal(DecodeStatus.TooShort, reader.Error);
        Assert.Equal(string.Empty, value);
        Assert.Equal(0, reader.Position);
    }

    [Fact]
    public void String_with_invalid_utf8_is_rejected()
    {
        var reader = new BorshReader([2, 0, 0, 0, 0xC3, 0x28]);

        Assert.False(reader.TryReadString(out _));
        Assert.Equal(DecodeStatus.InvalidUtf8, reader.Error);
        Assert.Equal(0, reader.Position);
    }
}
