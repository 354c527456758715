using System.Threading.Channels;

namespace SpinPet.Streaming.Topics;

/// <summary>The broadcaster's rounds (decision record 0011) and the direct sends of a lone state (decision record 0002).</summary>
public sealed partial class TopicHub
{
    /// <summary>
    /// Takes the topics that changed together (what is queued now, up to <c>kline.fanout_round_frames</c> frames) and
    /// delivers them as one round: each client's frames of the round leave in one write. A round of one state of one
    /// topic (a hot mint's trade) goes straight to the sockets instead, each client's single frame needing no queue.
    /// </summary>
    private void BroadcastRound(ChannelReader<Topic> reader)
    {
        long nowMs = time.GetUtcNow().ToUnixTimeMilliseconds();
        int deliveries = 0;
        _roundTopics.Clear();
        // Without rounds (0) one topic at a time, each frame straight to its socket.
        while ((deliveries < options.FanoutRoundFrames || _roundTopics.Count == 0) && reader.TryRead(out var topic))
        {
            try
            {
                var (frames, subscribers, stale) = topic.Take(nowMs);
                if (stale)
                {
                    Resync(topic, nowMs);
                    continue;
                }
                _roundTopics.Add((topic, frames, subscribers));
                deliveries += subscribers.Length * StatesIn(frames);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogBroadcastFailed(logger, topic.Symbol, ex);
            }
        }
        bool direct = options.FanoutRoundFrames == 0 || (_roundTopics.Count == 1 && StatesIn(_roundTopics[0].Frames) == 1);
        foreach (var (topic, frames, subscribers) in _roundTopics)
        {
            try
            {
                if (direct)
                {
                    BroadcastDirect(frames, subscribers);
                }
                else
                {
                    Deliver(frames, subscribers, _round);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogBroadcastFailed(logger, topic.Symbol, ex);
            }
        }
        _round.End();
        _roundTopics.Clear();
    }

    private static int StatesIn(KlineFrame[]?[] framesBySlot)
    {
        foreach (var frames in framesBySlot)
        {
            if (frames is not null)
            {
                return frames.Length;
            }
        }
        return 0;
    }

    private static void BroadcastDirect(KlineFrame[]?[] frames, TopicSubscription[] subscribers)
    {
        if (subscribers.Length >= ParallelFanoutSubscribers && Environment.ProcessorCount > 1)
        {
            // A hot topic: its sends (mostly kernel time, a socket write each) split over the cores. Each subscriber
            // is in exactly one slice, so its frames keep their order; the broadcaster waits for all slices, so the
            // next publication of this topic cannot overtake this one.
            int slices = Environment.ProcessorCount;
            Parallel.For(0, slices, slice => Deliver(frames, subscribers,
                subscribers.Length * slice / slices, subscribers.Length * (slice + 1) / slices));
        }
        else
        {
            Deliver(frames, subscribers, 0, subscribers.Length);
        }
    }

    private static void Deliver(KlineFrame[]?[] framesBySlot, TopicSubscription[] subscribers, int start, int end)
    {
        for (int i = start; i < end; i++)
        {
            var subscriber = subscribers[i];
            foreach (var frame in framesBySlot[subscriber.FormatSlot]!)
            {
                if (frame.Sequence > subscriber.Marker)
                {
                    subscriber.Offer(frame);
                }
            }
        }
    }

    private static void Deliver(KlineFrame[]?[] framesBySlot, TopicSubscription[] subscribers, DeliveryRound round)
    {
        foreach (var subscriber in subscribers)
        {
            foreach (var frame in framesBySlot[subscriber.FormatSlot]!)
            {
                if (frame.Sequence > subscriber.Marker)
                {
                    subscriber.Offer(frame, round);
                }
            }
        }
    }
}
