using System.Text;
using System.Text.Json;
using SpinPet.Core.Candles;
using SpinPet.Core.Chain;
using SpinPet.Core.Stream;
using SpinPet.Streaming.Protocol;
using SpinPet.Streaming.Topics;

namespace SpinPet.Streaming.Tests.Protocol;

/// <summary>
/// protocol.md, "Position and resume": <c>seq</c> and <c>epoch</c> are the last fields of the <c>data</c> of every
/// <c>kline_data</c>, <c>history_data</c> and <c>subscription_confirmed</c>, and <c>resume</c> is parsed strictly.
/// </summary>
public sealed class PositionFieldsTests
{
    private static readonly TopicKey Topic = new(new PublicKey(Enumerable.Repeat((byte)7, 32).ToArray()), Interval.S30);
    private static readonly StreamPosition Position = new("0123456789abcdef0123456789abcdef", 1042);
    private static readonly Candle State = new(1_764_062_370, 2.5e-8, 2.6e-8, 2.4e-8, 2.55e-8, 1000, 3, IsFinal: false);

    [Fact]
    public void A_kline_data_ends_its_data_with_the_batch_position_in_the_shared_suffix()
    {
        var frame = KlineDataFormat.Instance.Serialize(Topic, Topic.Mint.ToString(), State, sequence: 5, nowMs: 1, publishedAt: 0, Position);
        var data = Data([.. frame.Prefix, .. "\"sub_1\""u8, .. frame.Suffix]);

        Assert.Equal(["symbol", "interval", "subscription_id", "data", "timestamp", "seq", "epoch"], Names(data));
        Assert.Equal(1042, data.GetProperty("seq").GetInt64());
        Assert.Equal(Position.Epoch, data.GetProperty("epoch").GetString());
        // Shared by every subscriber: the position is in the suffix, not around the subscription's id.
        Assert.Contains("\"seq\":1042,\"epoch\":\"" + Position.Epoch + "\"}", Encoding.UTF8.GetString(frame.Suffix), StringComparison.Ordinal);
        Assert.Equal(Position, frame.Position);
    }

    [Fact]
    public void A_snapshot_and_its_confirmation_end_their_data_with_recovered_then_the_position()
    {
        var page = new HistoryPage([State], HasMore: false, TotalCount: 1) { Position = Position, Recovered = true };

        var history = Data(ServerMessages.HistoryData(Topic, Topic.Mint.ToString(), page, 1));
        var confirmed = Data(ServerMessages.SubscriptionConfirmed(Topic.Mint.ToString(), Topic.Interval, "sub_1", 1, page));

        Assert.Equal(["symbol", "interval", "data", "has_more", "total_count", "recovered", "seq", "epoch"], Names(history));
        Assert.Equal(["symbol", "interval", "subscription_id", "success", "message", "recovered", "seq", "epoch"], Names(confirmed));
        Assert.True(confirmed.GetProperty("recovered").GetBoolean());
        Assert.Equal(1042, confirmed.GetProperty("seq").GetInt64());
    }

    [Fact]
    public void A_snapshot_for_a_client_that_did_not_ask_to_resume_has_no_recovered()
    {
        var page = new HistoryPage([], HasMore: false, TotalCount: 0) { Position = Position };

        var history = Data(ServerMessages.HistoryData(Topic, Topic.Mint.ToString(), page, 1));

        Assert.Equal(["symbol", "interval", "data", "has_more", "total_count", "seq", "epoch"], Names(history));
    }

    [Fact]
    public void A_resume_is_read_with_its_epoch_and_seq_and_extra_fields_in_it_are_ignored()
    {
        var request = ClientRequest.TryParse("""
            {"msg_type":"subscribe","symbol":"x","interval":"s1","resume":{"epoch":"abc","seq":1042,"later":[1,{"a":2}]},"limit":5}
            """u8, out var error);

        Assert.Null(error);
        Assert.Equal(new StreamPosition("abc", 1042), request!.Resume);
        Assert.Equal(5, request.Limit);
        Assert.Null(ClientRequest.TryParse("""{"msg_type":"subscribe","resume":null}"""u8, out _)!.Resume);
    }

    [Theory]
    [InlineData("""{"msg_type":"subscribe","resume":"abc:1"}""")]
    [InlineData("""{"msg_type":"subscribe","resume":[]}""")]
    [InlineData("""{"msg_type":"subscribe","resume":{}}""")]
    [InlineData("""{"msg_type":"subscribe","resume":{"epoch":"abc"}}""")]
    [InlineData("""{"msg_type":"subscribe","resume":{"seq":1}}""")]
    [InlineData("""{"msg_type":"subscribe","resume":{"epoch":"abc","seq":-1}}""")]
    [InlineData("""{"msg_type":"subscribe","resume":{"epoch":"abc","seq":1.5}}""")]
    [InlineData("""{"msg_type":"subscribe","resume":{"epoch":"abc","seq":"1"}}""")]
    [InlineData("""{"msg_type":"subscribe","resume":{"epoch":"abc","seq":99999999999999999999}}""")]
    [InlineData("""{"msg_type":"subscribe","resume":{"epoch":7,"seq":1}}""")]
    [InlineData("""{"msg_type":"subscribe","resume":{"epoch":"","seq":1}}""")]
    [InlineData("""{"msg_type":"subscribe","resume":{"epoch":null,"seq":1}}""")]
    public void A_resume_of_any_other_shape_is_an_invalid_request(string json)
    {
        Assert.Null(ClientRequest.TryParse(Encoding.UTF8.GetBytes(json), out var error));
        Assert.StartsWith("Invalid resume", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_resume_epoch_longer_than_128_characters_is_refused_without_being_echoed()
    {
        string longest = new('e', ClientRequest.MaxEpochLength);
        string tooLong = longest + "X";
        string escaped = string.Concat(Enumerable.Repeat("\\u0065", ClientRequest.MaxEpochLength + 1));

        Assert.Equal(longest, ClientRequest.TryParse(Resume(longest), out _)!.Resume!.Value.Epoch);
        Assert.Null(ClientRequest.TryParse(Resume(tooLong), out var error));
        Assert.DoesNotContain("eeee", error, StringComparison.Ordinal);
        Assert.Null(ClientRequest.TryParse(Resume(escaped), out _));
        Assert.Null(ClientRequest.TryParse(Resume(new string('e', 1 << 16)), out _));
    }

    private static byte[] Resume(string epoch) =>
        Encoding.UTF8.GetBytes($$$"""{"msg_type":"subscribe","resume":{"epoch":"{{{epoch}}}","seq":1}}""");

    private static JsonElement Data(byte[] message)
    {
        using var document = JsonDocument.Parse(message);
        return document.RootElement.GetProperty("data").Clone();
    }

    private static string[] Names(JsonElement element) => [.. element.EnumerateObject().Select(p => p.Name)];
}
