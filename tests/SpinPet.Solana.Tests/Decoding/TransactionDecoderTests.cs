using System.Text;
using SpinPet.Core.Chain;
using SpinPet.Core.Events;
using SpinPet.Solana.Decoding;
using static SpinPet.Solana.Tests.Decoding.TestPayloads;

namespace SpinPet.Solana.Tests.Decoding;

public sealed class TransactionDecoderTests
{
    private static readonly byte[] s_buy = EventVectors.First("BuySellEvent").Payload;
    private static readonly byte[] s_close = EventVectors.First("FullCloseEvent").Payload;

    private readonly TransactionDecoder _decoder = new(PublicKey.Parse(ProgramId));

    private TransactionDecodeResult DecodeInOurProgram(params string[] lines) =>
        _decoder.Decode([Invoke(ProgramId, 1), .. lines, Success(ProgramId)]);

    [Fact]
    public void Indexes_count_every_data_line_of_ours_including_rejected_and_unknown_ones()
    {
        byte[] unknown = Concat(Hex("0102030405060708"), [1, 2, 3]);
        var result = _decoder.Decode(
        [
            Invoke(ProgramId, 1),
            Data(s_buy),
            Data(s_buy[..60]),
            Invoke(TokenProgram, 2),
            Data(s_close),             // not ours: takes no index
            Success(TokenProgram),
            Data(unknown),
            "Program data: not base64!",
            Data(s_close),
            Success(ProgramId),
        ]);

        Assert.Equal([0, 4], result.Events.Select(e => (int)e.Index));
        Assert.Equal([1, 2, 3], result.RejectedPayloads.Select(r => (int)r.Index));
        Assert.Equal(EventKind.BuySell, result.Events[0].Event.Kind);
        Assert.Equal(EventKind.FullClose, result.Events[1].Event.Kind);
        Assert.Equal(5, result.DataLines);
        Assert.Equal((2, 1, 0), (result.Rejected, result.UnknownDiscriminators, result.TrailingBytes));
    }

    [Fact]
    public void Short_body_is_rejected_with_its_sizes_and_raw_bytes()
    {
        var result = DecodeInOurProgram(Data(s_buy[..(8 + 60)]));

        Assert.Empty(result.Events);
        var rejected = Assert.Single(result.RejectedPayloads);
        Assert.Equal("too short: BuySellEvent needs 97 bytes, got 60", rejected.Reason);
        Assert.Equal(s_buy[..68], rejected.Payload.ToArray());
        Assert.Equal(1, result.Rejected);
    }

    [Fact]
    public void Legacy_token_created_is_rejected_with_a_reason_and_kept()
    {
        var result = DecodeInOurProgram("Program data: " + LegacyTokenCreated);

        var rejected = Assert.Single(result.RejectedPayloads);
        Assert.Equal("too short: TokenCreatedEvent needs at least 273 bytes, got 152", rejected.Reason);
        Assert.Equal(Convert.FromBase64String(LegacyTokenCreated), rejected.Payload.ToArray());
        Assert.Empty(result.Events);
    }

    [Theory]
    [InlineData(99)]
    [InlineData(100)]
    public void Milestone_discount_of_99_or_100_bytes_is_rejected_with_a_reason(int bodyLength)
    {
        byte[] payload = EventVectors.First("MilestoneDiscountEvent").Payload[..(8 + bodyLength)];

        var result = DecodeInOurProgram(Data(payload));

        var rejected = Assert.Single(result.RejectedPayloads);
        Assert.Equal($"too short: MilestoneDiscountEvent needs 101 bytes, got {bodyLength}", rejected.Reason);
    }

    [Fact]
    public void String_running_past_the_end_is_rejected_with_its_offset()
    {
        byte[] payload = TokenCreated(Utf8("abc"), [], [], nameLengthOverride: 1000);

        var rejected = Assert.Single(DecodeInOurProgram(Data(payload)).RejectedPayloads);

        Assert.Equal(
            "too short: TokenCreatedEvent body of 276 bytes ends inside the string at offset 261", rejected.Reason);
    }

    [Fact]
    public void Bad_bool_is_rejected_with_its_value_and_offset()
    {
        byte[] payload = (byte[])s_buy.Clone();
        payload[8 + 64] = 2;

        var result = DecodeInOurProgram(Data(payload));

        var rejected = Assert.Single(result.RejectedPayloads);
        Assert.Equal("invalid bool: BuySellEvent has byte 2 at body offset 64", rejected.Reason);
        Assert.Equal(1, result.Rejected);
    }

    [Fact]
    public void Invalid_utf8_is_rejected_with_the_string_offset()
    {
        byte[] payload = TokenCreated(Utf8("ok"), [0xFF], []);

        var rejected = Assert.Single(DecodeInOurProgram(Data(payload)).RejectedPayloads);

        Assert.Equal("invalid UTF-8: TokenCreatedEvent string at body offset 267", rejected.Reason);
    }

    [Fact]
    public void Trailing_bytes_are_accepted_and_counted()
    {
        var result = DecodeInOurProgram(Data(Concat(s_buy, [7, 7])), Data(s_buy));

        Assert.Equal(2, result.Events.Count);
        Assert.Equal(1, result.TrailingBytes);
        Assert.Equal(Concat(s_buy, [7, 7]), result.Events[0].Payload.ToArray());
        Assert.Empty(result.RejectedPayloads);
    }

    [Fact]
    public void Unknown_discriminator_is_skipped_counted_and_kept_for_replay()
    {
        byte[] unknown = Concat(Hex("aabbccddeeff0011"), s_buy[8..]);

        var result = DecodeInOurProgram(Data(unknown));

        Assert.Empty(result.Events);
        Assert.Equal((1, 0), (result.UnknownDiscriminators, result.Rejected));
        var kept = Assert.Single(result.RejectedPayloads);
        Assert.Equal("unknown discriminator aabbccddeeff0011", kept.Reason);
        Assert.Equal(unknown, kept.Payload.ToArray());
    }

    [Theory]
    [InlineData("Program data: ")]
    [InlineData("Program data: =")]
    [InlineData("Program data: ====")]
    [InlineData("Program data: YtB4")]
    [InlineData("Program data: YtB4PF0gE7Q")]
    [InlineData("Program data: YtB4PF0g E7Q=")]
    [InlineData("Program data: YtB4PF0gE7Q= YtB4PF0gE7Q=")]
    [InlineData("Program data: YtB4PF0gE7Q=\n")]
    [InlineData("Program data: YtB4PF0g!7Q=")]
    [InlineData("Program data: YtB4P=0gE7Q=")]
    [InlineData("Program data: 狗狗币")]
    public void Empty_or_malformed_program_data_is_a_rejection_not_a_crash(string line)
    {
        var result = DecodeInOurProgram(line);

        Assert.Empty(result.Events);
        var rejected = Assert.Single(result.RejectedPayloads);
        Assert.Equal(0, rejected.Index);
        Assert.Equal(1, result.Rejected);
        if (rejected.Reason.StartsWith("invalid base64", StringComparison.Ordinal))
        {
            // Nothing decoded, so the line's own text is kept.
            Assert.Equal(line, Encoding.UTF8.GetString(rejected.Payload.Span));
        }
        else
        {
            Assert.StartsWith("too short", rejected.Reason, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Empty_program_data_is_a_too_short_payload()
    {
        var rejected = Assert.Single(DecodeInOurProgram("Program data: ").RejectedPayloads);

        Assert.Equal("too short: 0 bytes, an event starts with an 8-byte discriminator", rejected.Reason);
        Assert.True(rejected.Payload.IsEmpty);
    }

    [Fact]
    public void Non_base64_program_data_keeps_the_raw_line()
    {
        const string Line = "Program data: not base64!";

        var rejected = Assert.Single(DecodeInOurProgram(Line).RejectedPayloads);

        Assert.StartsWith("invalid base64", rejected.Reason, StringComparison.Ordinal);
        Assert.Equal(Encoding.UTF8.GetBytes(Line), rejected.Payload.ToArray());
    }

    [Fact]
    public void Every_vector_decodes_through_the_log_path()
    {
        var lines = EventVectors.All.Select(v => "Program data: " + v.Base64).ToArray();

        var result = DecodeInOurProgram(lines);

        Assert.Equal(28, result.Events.Count);
        for (int i = 0; i < lines.Length; i++)
        {
            var vector = EventVectors.All[i];
            Assert.Equal(i, result.Events[i].Index);
            Assert.Equal(vector.Payload, result.Events[i].Payload.ToArray());
            EventFieldComparer.AssertMatches(vector.Event, vector.Fields, result.Events[i].Event);
        }
    }

    [Fact]
    public void Session_takes_lines_from_a_reused_buffer()
    {
        string[] lines =
            [Invoke(ProgramId, 1), Data(s_buy), Data(s_close), Success(ProgramId), "Log truncated", Data(s_buy)];
        var buffer = new char[1024];
        var session = _decoder.Begin();
        bool more = true;
        int fed = 0;
        foreach (string line in lines)
        {
            if (!more)
            {
                break;
            }
            line.CopyTo(buffer);
            more = session.Add(buffer.AsSpan(0, line.Length));
            buffer.AsSpan().Fill('#');   // the session must not hold on to the caller's buffer
            fed++;
        }

        var result = session.Complete();

        Assert.Equal(5, fed);
        Assert.True(result.Truncated);
        Assert.Equal([EventKind.BuySell, EventKind.FullClose], result.Events.Select(e => e.Event.Kind));
        Assert.Throws<InvalidOperationException>(() => session.Add("Program log: late"));
    }

    [Fact]
    public void Next_transaction_starts_with_a_clean_stack_after_a_truncated_one()
    {
        // The decoder reuses its walker between sessions; nothing of one transaction may leak into the next.
        var first = _decoder.Decode(
            [Invoke(ProgramId, 1), Invoke(TokenProgram, 2), Success(SystemProgram), "Log truncated"]);
        var second = _decoder.Decode([Data(s_buy), Invoke(ProgramId, 1), Data(s_buy), Success(ProgramId)]);

        Assert.Equal((true, 1), (first.Truncated, first.StackAnomalies));
        Assert.Equal((false, 0, 1), (second.Truncated, second.StackAnomalies, second.DataLines));
        Assert.Single(second.Events);
    }

    [Fact]
    public void Complete_twice_returns_the_same_result()
    {
        var session = _decoder.Begin();
        session.Add(Invoke(ProgramId, 1));
        session.Add(Data(s_buy));

        var result = session.Complete();

        Assert.Same(result, session.Complete());
        Assert.Single(result.Events);
    }

    [Fact]
    public void Concurrent_decodes_do_not_share_state()
    {
        string[] ours = [Invoke(ProgramId, 1), Data(s_buy), Data(s_close), Success(ProgramId)];
        string[] foreign = [Invoke(TokenProgram, 1), Data(s_buy), Success(TokenProgram)];

        Parallel.For(0, 20_000, i =>
        {
            var result = _decoder.Decode(i % 2 == 0 ? ours : foreign);
            Assert.Equal(i % 2 == 0 ? 2 : 0, result.Events.Count);
            Assert.Equal(0, result.StackAnomalies);
        });
    }

    [Fact]
    public void Failed_inner_program_does_not_hide_later_events_of_ours()
    {
        var result = _decoder.Decode(
        [
            Invoke(ProgramId, 1),
            Invoke(TokenProgram, 2),
            "Program log: Error: insufficient funds",
            Failed(TokenProgram),
            Data(s_buy),
            Success(ProgramId),
        ]);

        Assert.Single(result.Events);
        Assert.Equal(0, result.StackAnomalies);
    }

    [Fact]
    public void Stack_anomalies_are_reported()
    {
        var result = _decoder.Decode([Success(ProgramId), Invoke(ProgramId, 1), Data(s_buy), Success(TokenProgram)]);

        Assert.Equal(2, result.StackAnomalies);
        Assert.Single(result.Events);
    }

    [Fact]
    public void Random_lines_of_ours_never_throw()
    {
        var random = new Random(99);
        var payloads = EventVectors.All.Select(v => v.Payload).ToArray();
        for (int i = 0; i < 2_000; i++)
        {
            byte[] payload = (byte[])payloads[random.Next(payloads.Length)].Clone();
            // Flip a few bytes and cut or extend the payload: keeps real discriminators, breaks bodies.
            for (int flips = random.Next(0, 4); flips > 0; flips--)
            {
                payload[random.Next(payload.Length)] = (byte)random.Next(256);
            }
            payload = payload[..random.Next(0, payload.Length + 1)];

            var result = DecodeInOurProgram(Data(payload));

            Assert.Equal(1, result.Events.Count + result.RejectedPayloads.Count);
        }
    }
}
