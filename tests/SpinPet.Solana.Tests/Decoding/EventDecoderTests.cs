using System.Globalization;
using SpinPet.Core.Chain;
using SpinPet.Core.Events;
using SpinPet.Solana.Decoding;

namespace SpinPet.Solana.Tests.Decoding;

public sealed class EventDecoderTests
{
    public static TheoryData<string> VectorIds => EventVectors.Ids;

    [Fact]
    public void Vector_file_holds_28_vectors_4_per_event()
    {
        Assert.Equal(28, EventVectors.All.Count);
        Assert.All(EventVectors.All.GroupBy(v => v.Event), g => Assert.Equal(4, g.Count()));
        Assert.Equal(7, EventVectors.All.Select(v => v.Event).Distinct().Count());
    }

    [Theory]
    [MemberData(nameof(VectorIds))]
    public void Every_vector_decodes_to_its_expected_fields(string id)
    {
        var vector = EventVectors.Get(id);

        var status = EventDecoder.TryDecode(vector.Payload, out var ev);

        Assert.Equal(DecodeStatus.Ok, status);
        Assert.NotNull(ev);
        EventFieldComparer.AssertMatches(vector.Event, vector.Fields, ev);
    }

    [Fact]
    public void Buy_sell_vector_decodes_to_expected_fields()
    {
        // Spelled out once by hand, so the generic comparer is itself checked against one reading of the file.
        var status = EventDecoder.TryDecode(EventVectors.Get("BuySellEvent #0").Payload, out var ev);

        Assert.Equal(DecodeStatus.Ok, status);
        var buy = Assert.IsType<BuySellEvent>(ev);
        Assert.Equal(EventKind.BuySell, buy.Kind);
        Assert.Equal(PublicKey.Parse("9fVQgr8anic5jpERw4BKx6PhAs3Tqbq9pjKUpLjbFjRB"), buy.Payer);
        Assert.Equal(PublicKey.Parse("B5epqyP9YqiQdDVcMTuWaLQLAQqWcrfWjXExteiGfZ3h"), buy.MintAccount);
        Assert.True(buy.IsBuy);
        Assert.Equal(11181172534380746824UL, buy.TokenAmount);
        Assert.Equal(497320966234721586UL, buy.SolAmount);
        Assert.Equal(UInt128.Parse("168957652698388380287", CultureInfo.InvariantCulture), buy.Price);
        Assert.Equal(buy.Price, buy.LatestPrice);
    }

    [Fact]
    public void Token_created_vector_keeps_emoji_and_cjk_strings_exact()
    {
        var status = EventDecoder.TryDecode(EventVectors.Get("TokenCreatedEvent #0").Payload, out var ev);

        Assert.Equal(DecodeStatus.Ok, status);
        var created = Assert.IsType<TokenCreatedEvent>(ev);
        Assert.Equal("Hello", created.Name);
        Assert.Equal("狗狗币", created.Symbol);
        Assert.Equal("emoji 🚀 rocket", created.Uri);
        Assert.Null(created.LatestPrice);
    }

    [Theory]
    [InlineData("BuySellEvent", 97)]
    [InlineData("LongShortEvent", 259)]
    [InlineData("ForceLiquidateEvent", 96)]
    [InlineData("FullCloseEvent", 169)]
    [InlineData("PartialCloseEvent", 316)]
    [InlineData("MilestoneDiscountEvent", 101)]
    public void Fixed_layout_vectors_are_exactly_the_layout_size(string eventName, int bodySize)
    {
        Assert.All(
            EventVectors.All.Where(v => v.Event == eventName),
            v => Assert.Equal(bodySize, v.Payload.Length - EventDiscriminators.Length));
    }

    [Fact]
    public void Legacy_152_byte_token_created_body_is_rejected()
    {
        byte[] payload = Convert.FromBase64String(TestPayloads.LegacyTokenCreated);
        Assert.Equal(8 + 152, payload.Length);

        var status = EventDecoder.TryDecode(payload, out var ev);

        // The 152 bytes end before the eighth pubkey of the current layout.
        Assert.Equal(DecodeStatus.TooShort, status);
        Assert.Null(ev);
    }

    [Theory]
    [InlineData(99)]
    [InlineData(100)]
    public void Milestone_discount_body_shorter_than_101_bytes_is_rejected(int bodyLength)
    {
        byte[] payload = EventVectors.First("MilestoneDiscountEvent").Payload[..(8 + bodyLength)];

        var status = EventDecoder.TryDecode(payload, out var ev);

        Assert.Equal(DecodeStatus.TooShort, status);
        Assert.Null(ev);
    }

    [Theory]
    [MemberData(nameof(VectorIds))]
    public void Every_truncation_of_a_vector_is_rejected_as_too_short(string id)
    {
        byte[] payload = EventVectors.Get(id).Payload;
        for (int length = 0; length < payload.Length; length++)
        {
            var status = EventDecoder.TryDecode(payload.AsSpan(0, length), out var ev);

            // A cut never lands on a longer valid body, and string lengths are checked before UTF-8.
            Assert.True(status == DecodeStatus.TooShort, $"length {length}: {status}");
            Assert.Null(ev);
        }
    }

    [Theory]
    [InlineData("BuySellEvent", 64, 2)]
    [InlineData("BuySellEvent", 64, 255)]
    [InlineData("FullCloseEvent", 96, 2)]
    [InlineData("PartialCloseEvent", 96, 7)]
    public void Bool_byte_other_than_0_or_1_is_rejected(string eventName, int bodyOffset, byte value)
    {
        byte[] payload = (byte[])EventVectors.First(eventName).Payload.Clone();
        Assert.True(payload[8 + bodyOffset] <= 1, "the offset must point at the bool");
        payload[8 + bodyOffset] = value;

        var status = EventDecoder.TryDecode(payload, out var ev);

        Assert.Equal(DecodeStatus.InvalidBool, status);
        Assert.Null(ev);
    }

    [Theory]
    [InlineData(new byte[] { 0xFF })]                    // never valid in UTF-8
    [InlineData(new byte[] { 0xC0, 0x80 })]              // overlong NUL
    [InlineData(new byte[] { 0xED, 0xA0, 0x80 })]        // UTF-16 surrogate D800
    [InlineData(new byte[] { 0xF4, 0x90, 0x80, 0x80 })]  // above U+10FFFF
    [InlineData(new byte[] { 0x48, 0xE2, 0x82 })]        // sequence cut short by the end of the string
    public void Invalid_utf8_in_a_string_is_rejected(byte[] badName)
    {
        byte[] payload = TestPayloads.TokenCreated(badName, TestPayloads.Utf8("OK"), TestPayloads.Utf8("uri"));

        var status = EventDecoder.TryDecode(payload, out var ev);

        Assert.Equal(DecodeStatus.InvalidUtf8, status);
        Assert.Null(ev);
    }

    [Fact]
    public void Invalid_utf8_planted_in_a_vector_is_rejected()
    {
        byte[] payload = (byte[])EventVectors.Get("TokenCreatedEvent #0").Payload.Clone();
        // name "Hello" starts after 8 pubkeys, 2 + 2 + 1 bytes and its u32 length: body offset 265.
        Assert.Equal((byte)'H', payload[8 + 265]);
        payload[8 + 265] = 0x80;

        Assert.Equal(DecodeStatus.InvalidUtf8, EventDecoder.TryDecode(payload, out var ev));
        Assert.Null(ev);
    }

    [Fact]
    public void Empty_strings_decode_to_empty_strings()
    {
        byte[] payload = TestPayloads.TokenCreated([], [], []);

        Assert.Equal(DecodeStatus.Ok, EventDecoder.TryDecode(payload, out var ev));
        var created = Assert.IsType<TokenCreatedEvent>(ev);
        Assert.Equal((string.Empty, string.Empty, string.Empty), (created.Name, created.Symbol, created.Uri));
    }

    [Theory]
    [InlineData(uint.MaxValue)]
    [InlineData(int.MaxValue)]
    [InlineData(0x8000_0000u)]
    [InlineData(1_000_000u)]
    public void String_length_beyond_the_payload_is_rejected_without_allocating_it(uint claimedLength)
    {
        byte[] payload = TestPayloads.TokenCreated(TestPayloads.Utf8("abc"), [], [], nameLengthOverride: claimedLength);
        EventDecoder.TryDecode(payload, out _);

        long before = GC.GetAllocatedBytesForCurrentThread();
        var status = EventDecoder.TryDecode(payload, out var ev);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(DecodeStatus.TooShort, status);
        Assert.Null(ev);
        Assert.Equal(0, allocated);
    }

    [Theory]
    [MemberData(nameof(VectorIds))]
    public void Trailing_bytes_after_a_complete_body_are_accepted_and_reported(string id)
    {
        var vector = EventVectors.Get(id);
        byte[] payload = TestPayloads.Concat(vector.Payload, [0, 1, 2, 0xFF]);

        var status = EventDecoder.TryDecode(payload, out var ev);

        Assert.Equal(DecodeStatus.OkWithTrailingBytes, status);
        Assert.NotNull(ev);
        EventFieldComparer.AssertMatches(vector.Event, vector.Fields, ev);
    }

    [Fact]
    public void Unknown_discriminator_is_reported_as_unknown()
    {
        byte[] body = EventVectors.First("BuySellEvent").Payload[8..];
        byte[] payload = TestPayloads.Concat(TestPayloads.Hex("0102030405060708"), body);

        Assert.Equal(DecodeStatus.UnknownDiscriminator, EventDecoder.TryDecode(payload, out var ev));
        Assert.Null(ev);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(7)]
    public void Payload_without_a_whole_discriminator_is_too_short(int length)
    {
        Assert.Equal(DecodeStatus.TooShort, EventDecoder.TryDecode(new byte[length], out var ev));
        Assert.Null(ev);
    }

    [Theory]
    [InlineData("BuySellEvent")]
    [InlineData("LongShortEvent")]
    [InlineData("ForceLiquidateEvent")]
    [InlineData("PartialCloseEvent")]
    public void Decoding_allocates_only_the_event_object(string eventName)
    {
        byte[] payload = EventVectors.First(eventName).Payload;
        EventDecoder.TryDecode(payload, out var warm);
        Assert.NotNull(warm);

        const int Rounds = 1000;
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < Rounds; i++)
        {
            EventDecoder.TryDecode(payload, out _);
        }
        long perDecode = (GC.GetAllocatedBytesForCurrentThread() - before) / Rounds;

        // A record's "with" copy allocates exactly one object of the same size: the yardstick.
        before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < Rounds; i++)
        {
            _ = warm with { };
        }
        long perObject = (GC.GetAllocatedBytesForCurrentThread() - before) / Rounds;

        Assert.True(perObject > 0);
        Assert.Equal(perObject, perDecode);
    }

    [Fact]
    public void Random_bytes_never_throw()
    {
        var random = new Random(20240601);
        var discriminators = EventDiscriminators.Kinds.Select(EventDiscriminators.Of).ToArray();
        var counts = new Dictionary<DecodeStatus, int>();
        for (int i = 0; i < 10_000; i++)
        {
            byte[] payload = new byte[random.Next(0, 600)];
            random.NextBytes(payload);
            // Three cases in four carry a real discriminator, so the bodies are exercised, not just the lookup.
            if (payload.Length >= 8 && i % 4 != 0)
            {
                BitConverter.TryWriteBytes(payload, discriminators[random.Next(discriminators.Length)]);
            }

            var status = EventDecoder.TryDecode(payload, out var ev);

            Assert.True(Enum.IsDefined(status));
            Assert.Equal(status is DecodeStatus.Ok or DecodeStatus.OkWithTrailingBytes, ev is not null);
            counts[status] = counts.GetValueOrDefault(status) + 1;
        }
        Assert.True(counts.GetValueOrDefault(DecodeStatus.OkWithTrailingBytes) > 0);
        Assert.True(counts.GetValueOrDefault(DecodeStatus.TooShort) > 0);
        Assert.True(counts.GetValueOrDefault(DecodeStatus.InvalidBool) > 0);
        Assert.True(counts.GetValueOrDefault(DecodeStatus.UnknownDiscriminator) > 0);
    }
}
