namespace SpinPet.WebSockets.Tests;

/// <summary>A message's segments, held inline (one or three) or as a list, read back in order.</summary>
public sealed class WebSocketOutboundMessageTests
{
    [Fact]
    public void Three_inline_segments_read_back_in_order_with_their_total_length()
    {
        var message = WebSocketOutboundMessage.Plain("{\"a\":"u8.ToArray(), "\"id\""u8.ToArray(), "}"u8.ToArray());

        Assert.Equal(3, message.SegmentCount);
        Assert.False(message.Compressed);
        Assert.Equal("{\"a\":\"id\"}"u8.ToArray(), Concat(message));
        Assert.Equal(10, message.Length);
        Assert.Throws<ArgumentOutOfRangeException>(() => message.Segment(3));
    }

    [Fact]
    public void One_segment_and_a_list_of_segments_read_back_the_same_way()
    {
        var one = WebSocketOutboundMessage.Deflated(new byte[] { 1, 2, 3 });
        var many = WebSocketOutboundMessage.Plain([new byte[] { 1 }, new byte[] { 2, 3 }, Array.Empty<byte>(), new byte[] { 4 }]);

        Assert.True(one.Compressed);
        Assert.Equal(1, one.SegmentCount);
        Assert.Equal(new byte[] { 1, 2, 3 }, Concat(one));
        Assert.Throws<ArgumentOutOfRangeException>(() => one.Segment(1));
        Assert.Equal(4, many.SegmentCount);
        Assert.Equal(new byte[] { 1, 2, 3, 4 }, Concat(many));
        Assert.Equal(4, many.Length);
    }

    private static byte[] Concat(WebSocketOutboundMessage message) =>
        [.. Enumerable.Range(0, message.SegmentCount).SelectMany(i => message.Segment(i).ToArray())];
}
