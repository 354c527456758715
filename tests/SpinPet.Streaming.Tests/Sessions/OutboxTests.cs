using System.Text;
using SpinPet.Core.Candles;
using SpinPet.Core.Chain;
using SpinPet.Streaming.Protocol;
using SpinPet.Streaming.Sessions;
using SpinPet.Streaming.Topics;

namespace SpinPet.Streaming.Tests.Sessions;

/// <summary>The slow-consumer policy at the queue: bound, conflation of realtime states, finals never dropped, order.</summary>
public sealed class OutboxTests
{
    private static readonly TopicKey Topic = new(new PublicKey(new byte[32]), Interval.S1);

    // What one "reply i" counts against the bound: its 7 bytes and the entry.
    private const long ReplyCost = 7 + Outbox.EntryOverheadBytes;

    [Fact]
    public void Replies_count_by_their_size_until_their_send_completes()
    {
        var outbox = new Outbox(maxBytes: 1 << 20);
        var history = new byte[150_000];
        outbox.Enqueue(OutboundFrame.Reply(history));
        outbox.Enqueue(Reply(0));
        Assert.Equal(150_000 + Outbox.EntryOverheadBytes + ReplyCost, outbox.Bytes);

        var batch = new List<OutboundFrame>();
        outbox.TakeBatch(batch, 64);
        // Taken by the writer but not sent yet: still held.
        Assert.Equal(150_000 + Outbox.EntryOverheadBytes + ReplyCost, outbox.Bytes);
        outbox.EndSend(wakeWriter: false);
        Assert.Equal(0, outbox.Bytes);
        Assert.Equal(150_000 + Outbox.EntryOverheadBytes + ReplyCost, outbox.PeakBytes);
    }

    [Fact]
    public void A_message_that_would_pass_the_bound_is_refused_and_the_queue_is_emptied()
    {
        var outbox = new Outbox(maxBytes: 3 * ReplyCost);
        for (int i = 0; i < 3; i++)
        {
            Assert.True(outbox.Enqueue(Reply(i)));
        }
        Assert.False(outbox.Overflowed);
        Assert.False(outbox.Enqueue(Reply(3)));
        Assert.True(outbox.Overflowed);
        // The client is being closed: nothing more is kept or sent, so the bound is never passed.
        Assert.Equal(0, outbox.Count);
        Assert.Equal(0, outbox.Bytes);
        Assert.Equal(3 * ReplyCost, outbox.PeakBytes);
        Assert.False(outbox.Enqueue(OutboundFrame.Ping));
        Assert.False(outbox.EnqueueCandle(NewSubscriber("a"), Frame(100, 1, true)));
        Assert.Empty(TakeAll(outbox));
    }

    [Fact]
    public void Over_the_bound_the_send_in_progress_stays_counted_until_it_completes()
    {
        var outbox = new Outbox(maxBytes: 3 * ReplyCost);
        outbox.Enqueue(Reply(0));
        outbox.Enqueue(Reply(1));
        var batch = new List<OutboundFrame>();
        outbox.TakeBatch(batch, 64);
        outbox.Enqueue(Reply(2));
        Assert.False(outbox.Enqueue(Reply(3)));

        Assert.Equal(2 * ReplyCost, outbox.Bytes);
        outbox.EndSend(wakeWriter: false);
        Assert.Equal(0, outbox.Bytes);
        Assert.Equal(3 * ReplyCost, outbox.PeakBytes);
    }

    [Fact]
    public void Candle_frames_count_their_subscription_id_and_conflation_keeps_one_frame_counted()
    {
        var outbox = new Outbox(maxBytes: 1 << 20);
        var subscriber = NewSubscriber("a-rather-long-subscription-id");
        var first = Frame(100, 1, false);
        outbox.EnqueueCandle(subscriber, first);
        long one = first.Length(subscriber.SubscriptionIdJson.Length) + Outbox.EntryOverheadBytes;
        Assert.Equal(one, outbox.Bytes);

        outbox.EnqueueCandle(subscriber, Frame(100, 2, false));
        outbox.EnqueueCandle(subscriber, Frame(100, 3, false));
        Assert.Equal(one, outbox.Bytes);

        // A final supersedes the queued realtime state: both are counted until the writer skips the superseded one.
        var final = Frame(100, 4, true);
        outbox.EnqueueCandle(subscriber, final);
        Assert.Equal(one + final.Length(subscriber.SubscriptionIdJson.Length) + Outbox.EntryOverheadBytes, outbox.Bytes);
        Assert.Equal([(100L, 4L, true)], States(TakeAll(outbox)));
        Assert.Equal(0, outbox.Bytes);
    }

    [Fact]
    public void A_direct_send_is_counted_until_it_ends()
    {
        var outbox = new Outbox(maxBytes: 1 << 20);
        Assert.True(outbox.TryClaimIdle(NewSubscriber("a"), 300));
        Assert.Equal(300 + Outbox.EntryOverheadBytes, outbox.Bytes);
        outbox.EndSend(wakeWriter: true);
        Assert.Equal(0, outbox.Bytes);
    }

    [Fact]
    public void A_queued_realtime_state_is_replaced_by_a_newer_state_of_the_same_candle()
    {
        var outbox = new Outbox(maxBytes: 1 << 20);
        var subscriber = NewSubscriber("a");
        Assert.True(outbox.EnqueueCandle(subscriber, Frame(time: 100, updates: 1, final: false)));
        Assert.True(outbox.EnqueueCandle(subscriber, Frame(time: 100, updates: 2, final: false)));
        Assert.True(outbox.EnqueueCandle(subscriber, Frame(time: 100, updates: 3, final: false)));

        Assert.Equal(1, outbox.Count);
        Assert.Equal(2, outbox.Conflated);
        var batch = TakeAll(outbox);
        Assert.Equal([(100L, 3L, false)], States(batch));
        Assert.Equal(2, outbox.TakeConflated());
        Assert.Equal(0, outbox.Conflated);
    }

    [Fact]
    public void Conflation_is_per_subscription()
    {
        var outbox = new Outbox(maxBytes: 1 << 20);
        var a = NewSubscriber("a");
        var b = NewSubscriber("b");
        outbox.EnqueueCandle(a, Frame(100, 1, false));
        outbox.EnqueueCandle(b, Frame(100, 1, false));
        outbox.EnqueueCandle(a, Frame(100, 2, false));

        var batch = TakeAll(outbox);
        Assert.Equal(2, batch.Count);
        Assert.Same(a, batch[0].Subscriber);
        Assert.Equal(2, batch[0].Kline!.Candle.UpdateCount);
        Assert.Same(b, batch[1].Subscriber);
        Assert.Equal(1, batch[1].Kline!.Candle.UpdateCount);
    }

    [Fact]
    public void A_final_state_is_never_replaced_and_supersedes_the_queued_realtime_state_of_its_candle()
    {
        var outbox = new Outbox(maxBytes: 1 << 20);
        var subscriber = NewSubscriber("a");
        outbox.EnqueueCandle(subscriber, Frame(100, 1, false));
        outbox.EnqueueCandle(subscriber, Frame(100, 2, true));
        // The next candle's realtime state queues behind the final and does not touch it.
        outbox.EnqueueCandle(subscriber, Frame(101, 1, false));
        outbox.EnqueueCandle(subscriber, Frame(101, 2, false));

        Assert.Equal([(100L, 2L, true), (101L, 2L, false)], States(TakeAll(outbox)));
    }

    [Fact]
    public void Finals_are_all_kept_in_order_within_the_bound()
    {
        var outbox = new Outbox(maxBytes: 1 << 20);
        var subscriber = NewSubscriber("a");
        for (int i = 0; i < 8; i++)
        {
            Assert.True(outbox.EnqueueCandle(subscriber, Frame(100 + i, 1, true)));
        }

        Assert.Equal(Enumerable.Range(0, 8).Select(i => (100L + i, 1L, true)), States(TakeAll(outbox)));
    }

    [Fact]
    public void Replies_and_candles_leave_in_the_order_they_were_queued()
    {
        var outbox = new Outbox(maxBytes: 1 << 20);
        var subscriber = NewSubscriber("a");
        outbox.Enqueue(Reply(0));
        outbox.EnqueueCandle(subscriber, Frame(100, 1, true));
        outbox.Enqueue(Reply(1));
        outbox.EnqueueCandle(subscriber, Frame(101, 1, false));
        outbox.Enqueue(OutboundFrame.Ping);

        var batch = TakeAll(outbox);
        Assert.Equal(["reply 0", "100", "reply 1", "101", "ping"], batch.Select(Describe));
    }

    [Fact]
    public void A_realtime_state_queued_after_its_predecessor_was_taken_is_not_conflated_into_the_taken_one()
    {
        var outbox = new Outbox(maxBytes: 1 << 20);
        var subscriber = NewSubscriber("a");
        outbox.EnqueueCandle(subscriber, Frame(100, 1, false));
        var first = TakeAll(outbox);
        outbox.EnqueueCandle(subscriber, Frame(100, 2, false));

        Assert.Equal(1, first[0].Kline!.Candle.UpdateCount);
        Assert.Equal([(100L, 2L, false)], States(TakeAll(outbox)));
        Assert.Equal(0, outbox.Conflated);
    }

    [Fact]
    public void A_batch_takes_at_most_its_size_and_the_rest_waits_in_order()
    {
        var outbox = WithReplies(5);
        var batch = new List<OutboundFrame>();
        outbox.TakeBatch(batch, 2);
        Assert.Equal(["reply 0", "reply 1"], batch.Select(Describe));
        outbox.EndSend(wakeWriter: false);
        Assert.Equal(["reply 2", "reply 3", "reply 4"], TakeAll(outbox).Select(Describe));
    }

    [Fact]
    public void A_batch_claims_the_send_side_and_a_second_taker_gets_false_and_nothing()
    {
        // The writer and a round's write share one list; each goes by TakeBatch's answer, because while one owns the
        // send side the list holds that owner's batch (reading the list's count instead sent a batch twice).
        var outbox = WithReplies(3);
        var shared = new List<OutboundFrame>();
        Assert.True(outbox.TakeBatch(shared, 2));
        outbox.Enqueue(Reply(3));

        Assert.False(outbox.TakeBatch(shared, 64));
        Assert.Equal(["reply 0", "reply 1"], shared.Select(Describe));

        shared.Clear();
        outbox.EndSend(wakeWriter: false);
        Assert.True(outbox.TakeBatch(shared, 64));
        Assert.Equal(["reply 2", "reply 3"], shared.Select(Describe));
        shared.Clear();
        outbox.EndSend(wakeWriter: false);
        Assert.False(outbox.TakeBatch(shared, 64));
    }

    [Fact]
    public void A_direct_send_is_allowed_only_while_nothing_is_queued_or_being_sent()
    {
        var outbox = new Outbox(maxBytes: 1 << 20);
        var subscriber = NewSubscriber("a");
        Assert.True(outbox.TryClaimIdle(subscriber, 300));
        // While the direct send owns the send side, the writer takes nothing and no second direct send starts.
        outbox.Enqueue(Reply(0));
        Assert.False(outbox.TryClaimIdle(subscriber, 300));
        var batch = new List<OutboundFrame>();
        outbox.TakeBatch(batch, 64);
        Assert.Empty(batch);
        outbox.EndSend(wakeWriter: true);

        Assert.False(outbox.TryClaimIdle(subscriber, 300));
        Assert.Equal(["reply 0"], TakeAll(outbox).Select(Describe));
        Assert.True(outbox.TryClaimIdle(subscriber, 300));
    }

    [Fact]
    public void A_completed_outbox_drops_what_is_queued_and_accepts_nothing()
    {
        var outbox = new Outbox(maxBytes: 1 << 20);
        var subscriber = NewSubscriber("a");
        outbox.Enqueue(Reply(0));
        outbox.Complete();
        Assert.True(outbox.Enqueue(Reply(1)));
        Assert.True(outbox.EnqueueCandle(subscriber, Frame(100, 1, true)));
        Assert.Equal(0, outbox.Count);
        Assert.False(outbox.TryClaimIdle(subscriber, 300));
    }

    [Fact]
    public void After_a_subscription_is_detached_none_of_its_frames_is_queued_or_sent_directly()
    {
        var outbox = new Outbox(maxBytes: 1 << 20);
        var old = NewSubscriber("old");
        var replacement = NewSubscriber("new");
        outbox.EnqueueCandle(old, Frame(100, 1, false));
        outbox.Detach(old);
        // The reply that ends the subscription (unsubscribe_confirmed, or the new subscription's history).
        outbox.Enqueue(Reply(0));
        Assert.True(outbox.EnqueueCandle(old, Frame(100, 2, true)));
        outbox.EnqueueCandle(replacement, Frame(100, 2, true));

        var batch = TakeAll(outbox);
        Assert.Equal(["100", "reply 0", "100"], batch.Select(Describe));
        Assert.Same(old, batch[0].Subscriber);
        Assert.Same(replacement, batch[2].Subscriber);
        Assert.False(outbox.TryClaimIdle(old, 300));
        Assert.True(outbox.TryClaimIdle(replacement, 300));
    }

    // Sessions are not needed by the queue; the subscriber only carries the conflation slot here.
    [Fact]
    public void Event_frames_are_never_conflated_stop_once_detached_and_past_the_bound_overflow_the_outbox()
    {
        var outbox = new Outbox(maxBytes: 1 << 20);
        var stream = new ClientEventSubscription(null!, Topic.Mint, "e1");
        var events = Enumerable.Range(0, 3).Select(EventFrame).ToList();
        foreach (var frame in events)
        {
            Assert.True(outbox.EnqueueEvent(stream, OutboundFrame.Reply(stream.SubscriptionIdJson, frame)));
        }
        // Three events of one stream: three messages, in order, each with the subscription's id spliced in.
        var sent = TakeAll(outbox);
        Assert.Equal(events, sent.Select(f => f.Shared));
        Assert.All(sent, f => Assert.Equal("\"e1\"", Encoding.UTF8.GetString(f.Message!)));

        outbox.Detach(stream);
        Assert.True(outbox.EnqueueEvent(stream, OutboundFrame.Reply(stream.SubscriptionIdJson, EventFrame(3))));
        Assert.Empty(TakeAll(outbox));

        var small = new Outbox(maxBytes: 2 * (events[0].Length(4) + Outbox.EntryOverheadBytes));
        var other = new ClientEventSubscription(null!, Topic.Mint, "e2");
        Assert.True(small.EnqueueEvent(other, OutboundFrame.Reply(other.SubscriptionIdJson, EventFrame(0))));
        Assert.True(small.EnqueueEvent(other, OutboundFrame.Reply(other.SubscriptionIdJson, EventFrame(1))));
        Assert.False(small.EnqueueEvent(other, OutboundFrame.Reply(other.SubscriptionIdJson, EventFrame(2))));
        Assert.True(small.Overflowed);
        Assert.Empty(TakeAll(small));
    }

    [Fact]
    public void A_queued_realtime_frame_is_conflated_in_place_after_the_queue_wrapped_and_grew()
    {
        // The queue is a ring addressed by sequence numbers: the subscription must find its frame again after the
        // ring's start moved past the array's end and the ring was copied into a bigger one.
        var outbox = new Outbox(maxBytes: 1 << 20);
        var a = NewSubscriber("a");
        var batch = new List<OutboundFrame>();
        for (int i = 0; i < 3; i++)
        {
            outbox.Enqueue(Reply(i));
        }
        outbox.TakeBatch(batch, 64);
        outbox.EndSend(wakeWriter: false);
        batch.Clear();
        outbox.Enqueue(Reply(3));
        Assert.True(outbox.EnqueueCandle(a, Frame(100, 1, false)));
        for (int i = 4; i < 12; i++)
        {
            outbox.Enqueue(Reply(i));
        }
        Assert.True(outbox.EnqueueCandle(a, Frame(100, 2, false)));
        Assert.Equal(1, outbox.TakeConflated());

        var sent = TakeAll(outbox);
        Assert.Equal(["reply 3", "100", .. Enumerable.Range(4, 8).Select(i => $"reply {i}")], sent.Select(Describe));
        Assert.Equal((100, 2, false), States([sent[1]])[0]);

        // Taken, so no longer a conflation target: the next state queues anew.
        Assert.True(outbox.EnqueueCandle(a, Frame(100, 3, false)));
        Assert.Equal(0, outbox.TakeConflated());
        Assert.Equal([(100L, 3L, false)], States(TakeAll(outbox)));
        Assert.Equal(0, outbox.Bytes);
    }

    private static Events.EventFrame EventFrame(int i) =>
        Events.EventDataFormat.Instance.Serialize(Topic.Mint.ToString(),
            new StreamEvent(new ChainPosition(10, 0, (ushort)i), 1, "BuySell", Encoding.UTF8.GetBytes($$"""{"event_index":{{i}}}""")),
            sequence: i + 1, nowMs: 0, publishedAt: 0, position: new Core.Stream.StreamPosition("e", 1));

    private static ClientSubscription NewSubscriber(string id) => new(null!, Topic, id);

    private static OutboundFrame Reply(int i) => OutboundFrame.Reply(Encoding.UTF8.GetBytes($"reply {i}"));

    /// <summary>An outbox holding "reply 0" … "reply <paramref name="count"/> − 1".</summary>
    private static Outbox WithReplies(int count)
    {
        var outbox = new Outbox(maxBytes: 1 << 20);
        for (int i = 0; i < count; i++)
        {
            outbox.Enqueue(Reply(i));
        }
        return outbox;
    }

    private static KlineFrame Frame(long time, long updates, bool final) =>
        KlineDataFormat.Instance.Serialize(Topic, Topic.Mint.ToString(), new Candle(time, 1, 1, 1, 1, 1, updates, final), sequence: 0, nowMs: 0, publishedAt: 0, position: default);

    private static List<OutboundFrame> TakeAll(Outbox outbox)
    {
        var all = new List<OutboundFrame>();
        var batch = new List<OutboundFrame>();
        while (true)
        {
            batch.Clear();
            outbox.TakeBatch(batch, 64);
            if (batch.Count == 0)
            {
                return all;
            }
            all.AddRange(batch);
            outbox.EndSend(wakeWriter: false);
        }
    }

    private static List<(long Time, long Updates, bool Final)> States(List<OutboundFrame> frames) =>
        [.. frames.Select(f => (f.Kline!.Candle.Time, f.Kline.Candle.UpdateCount, f.Kline.Candle.IsFinal))];

    private static string Describe(OutboundFrame frame) =>
        frame.IsPing ? "ping" : frame.Message is { } message ? Encoding.UTF8.GetString(message) : frame.Kline!.Candle.Time.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
