using SimpleBase;
using SpinPet.Core.Chain;

namespace SpinPet.Core.Tests.Chain;

/// <summary>
/// Addresses and signatures are parsed by our fixed-size base58 decoder (decision 0013); SimpleBase, the general
/// decoder it replaced, is the reference: every input must get the same answer and the same bytes from both.
/// </summary>
public sealed class Base58ParsingTests
{
    private const string Alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

    [Fact]
    public void Every_encoded_signature_and_address_parses_back_to_its_bytes_leading_zero_bytes_included()
    {
        var random = new Random(7);
        for (int i = 0; i < 5_000; i++)
        {
            var signature = Value(random, 64);
            Assert.True(TxSignature.TryParse(Base58.Bitcoin.Encode(signature), out var parsed));
            Assert.Equal(signature, parsed.AsSpan().ToArray());

            var address = Value(random, 32);
            Assert.True(PublicKey.TryParse(Base58.Bitcoin.Encode(address), out var key));
            Assert.Equal(address, key.AsSpan().ToArray());
        }
    }

    [Fact]
    public void Signatures_and_addresses_are_written_as_the_general_encoder_writes_them()
    {
        var random = new Random(13);
        for (int i = 0; i < 10_000; i++)
        {
            var signature = Value(random, 64);
            Assert.Equal(Base58.Bitcoin.Encode(signature), new TxSignature(signature).ToString());
            var address = Value(random, 32);
            Assert.Equal(Base58.Bitcoin.Encode(address), new PublicKey(address).ToString());
        }
        // The extremes: all zero bytes (only '1's), all 0xFF (the longest text), one low byte at the end.
        foreach (var bytes in new[] { new byte[32], Enumerable.Repeat((byte)0xFF, 32).ToArray(), [.. new byte[31], 1] })
        {
            Assert.Equal(Base58.Bitcoin.Encode(bytes), new PublicKey(bytes).ToString());
        }
        foreach (var bytes in new[] { new byte[64], Enumerable.Repeat((byte)0xFF, 64).ToArray(), [.. new byte[63], 57], [.. new byte[63], 58] })
        {
            Assert.Equal(Base58.Bitcoin.Encode(bytes), new TxSignature(bytes).ToString());
        }
    }

    [Fact]
    public void Any_string_of_the_alphabet_gets_the_general_decoders_answer()
    {
        // Random digits decode to values of every size around the fixed one (too short, too long, leading '1's that
        // do not match the value's leading zero bytes): accepted exactly when the reference yields that many bytes.
        var random = new Random(11);
        int accepted = 0, refused = 0;
        for (int i = 0; i < 20_000; i++)
        {
            string signature = Digits(random, random.Next(64, 89));
            Assert.Equal(Reference(signature, 64), TxSignature.TryParse(signature, out var parsed) ? parsed.AsSpan().ToArray() : null);
            string address = Digits(random, random.Next(32, 45));
            byte[]? expected = Reference(address, 32);
            Assert.Equal(expected, PublicKey.TryParse(address, out var key) ? key.AsSpan().ToArray() : null);
            _ = expected is null ? refused++ : accepted++;
        }
        // Both outcomes were exercised, not only one.
        Assert.InRange(accepted, 1_000, 19_000);
        Assert.InRange(refused, 1_000, 19_000);
    }

    [Theory]
    [InlineData("11111111111111111111111111111111", true)] // 32 zero bytes: the system program
    [InlineData("1111111111111111111111111111111", false)] // 31 '1's: 31 bytes
    [InlineData("111111111111111111111111111111111", false)] // 33 '1's: 33 bytes
    [InlineData("zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz", false)] // too big for 32 bytes
    [InlineData("0PNh4a2TYRcWqPfDeCXLYdTjAvB9GBnHTPTDbeyMd3cd", false)] // '0' is not a digit
    [InlineData("OPNh4a2TYRcWqPfDeCXLYdTjAvB9GBnHTPTDbeyMd3cd", false)]
    [InlineData("IPNh4a2TYRcWqPfDeCXLYdTjAvB9GBnHTPTDbeyMd3cd", false)]
    [InlineData("lPNh4a2TYRcWqPfDeCXLYdTjAvB9GBnHTPTDbeyMd3cd", false)]
    [InlineData("éPNh4a2TYRcWqPfDeCXLYdTjAvB9GBnHTPTDbeyMd3c", false)]
    [InlineData("\u0661PNh4a2TYRcWqPfDeCXLYdTjAvB9GBnHTPTDbeyMd3c", false)] // an Arabic-Indic digit one
    [InlineData("TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA", true)]
    public void Addresses_at_the_edges(string text, bool valid)
    {
        Assert.Equal(valid, PublicKey.TryParse(text, out var key));
        Assert.Equal(Reference(text, 32), valid ? key.AsSpan().ToArray() : null);
    }

    private static byte[] Value(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        // Leading zero bytes are written as leading '1's: cover none to several, and now and then a whole zero limb.
        bytes.AsSpan(0, random.Next(0, 4) + (random.Next(8) == 0 ? 4 : 0)).Clear();
        return bytes;
    }

    private static string Digits(Random random, int length)
    {
        var chars = new char[length];
        int ones = random.Next(0, 4);
        for (int i = 0; i < length; i++)
        {
            chars[i] = i < ones ? '1' : Alphabet[random.Next(Alphabet.Length)];
        }
        return new string(chars);
    }

    private static byte[]? Reference(string text, int length)
    {
        if (!System.Text.Ascii.IsValid(text))
        {
            // Not base58; SimpleBase throws IndexOutOfRangeException on these instead of refusing them.
            return null;
        }
        try
        {
            var bytes = Base58.Bitcoin.Decode(text);
            return bytes.Length == length ? bytes : null;
        }
        catch (ArgumentException)
        {
            return null;
        }
    }
}
