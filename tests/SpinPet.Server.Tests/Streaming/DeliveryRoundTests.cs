using Microsoft.Extensions.Logging.Abstractions;
using SpinPet.Core.Candles;
using SpinPet.Core.Chain;
using SpinPet.Server.Streaming;
using SpinPet.Storage;
using SpinPet.Streaming;
using SpinPet.Streaming.Protocol;
using SpinPet.Streaming.Topics;
using SpinPet.TestSupport;

namespace SpinPet.Server.Tests.Streaming;

/// <summary>
/// The broadcaster's rounds: the topics that changed together are delivered as one round, so a sink that batches its
/// writes gets all its frames of the round queued and then one end of round (one socket write for a /ws client),
/// in publication order per topic; a lone state of a lone topic goes straight to its sinks.
/// </summary>
public sealed class DeliveryRoundTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private readonly TempFolder _folder = new();
    private readonly CancellationTokenSource _stop = new();
    private SpinPetStore _store = null!;
    private TopicHub _hub = null!;
    private Task _broadcaster = Task.CompletedTask;

    public ValueTask InitializeAsync()
    {
        _store = SpinPetStore.Open(_folder.Path);
        _hub = new TopicHub(new StoreCandleHistory(_store), new StreamingOptions { Intervals = Interval.Required }, new StreamingCounters(),
            TimeProvider.System, NullLogger<TopicHub>.Instance);
        return default;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _broadcaster;
        _stop.Dispose();
        _store.Dispose();
        _folder.Dispose();
    }

    [Fact]
    public async Task The_topics_that_changed_together_reach_a_client_in_one_round()
    {
        var topics = Enumerable.Range(1, 3).Select(i => new TopicKey(Mint(i), Interval.S1)).ToArray();
        var client = new BatchingClient();
        foreach (var topic in topics)
        {
            _hub.Subscribe(client.Subscription(topic), limit: 1);
        }
        var bystander = new BatchingClient();
        _hub.Subscribe(bystander.Subscription(topics[0]), limit: 1);

        // Published before the broadcaster runs: one batch's states, all waiting when it starts.
        _hub.Publish(topics[0].Mint, Interval.S1, State(time: 100, updates: 1) with { IsFinal = true });
        _hub.Publish(topics[0].Mint, Interval.S1, State(time: 101, updates: 1));
        _hub.Publish(topics[1].Mint, Interval.S1, State(time: 100, updates: 1));
        _hub.Publish(topics[2].Mint, Interval.S1, State(time: 100, updates: 1));
        _broadcaster = _hub.RunAsync(_stop.Token);

        await Eventually.TrueAsync(() => client.Written.Count == 4 && bystander.Written.Count == 2, Wait, "every frame written");
        Assert.Equal(1, client.Rounds);
        Assert.Equal(1, bystander.Rounds);
        Assert.Equal(0, client.DirectFrames);
        Assert.Equal([100L, 101L], [.. client.Written.Where(w => w.Topic == topics[0]).Select(w => w.Time)]);
        Assert.Equal(topics.Length, client.Written.Select(w => w.Topic).Distinct().Count());
    }

    [Fact]
    public async Task A_lone_state_of_a_lone_topic_goes_straight_to_its_clients()
    {
        var topic = new TopicKey(Mint(7), Interval.S1);
        var client = new BatchingClient();
        _hub.Subscribe(client.Subscription(topic), limit: 1);
        _broadcaster = _hub.RunAsync(_stop.Token);

        _hub.Publish(topic.Mint, Interval.S1, State(time: 100, updates: 1));

        await Eventually.TrueAsync(() => client.DirectFrames == 1, Wait, "the frame delivered");
        Assert.Equal(0, client.Rounds);
    }

    private static Candle State(long time, long updates) => new(time, 1, 1, 1, 1, 0, updates, false);

    private static PublicKey Mint(int id)
    {
        var key = new byte[PublicKey.Length];
        key[0] = (byte)id;
        return new PublicKey(key);
    }

    /// <summary>A client whose frames of a round wait in a queue for its end, as a /ws session's do.</summary>
    private sealed class BatchingClient : IRoundSink
    {
        private readonly Lock _gate = new();
        private readonly List<(TopicKey Topic, long Time)> _queued = [];
        private readonly List<(TopicKey Topic, long Time)> _written = [];
        private bool _inRound;

        public int Rounds { get; private set; }

        public int DirectFrames { get; private set; }

        public IReadOnlyList<(TopicKey Topic, long Time)> Written
        {
            get
            {
                lock (_gate)
                {
                    return [.. _written];
                }
            }
        }

        public TopicSubscription Subscription(TopicKey topic) => new Sink(this, topic);

        public void EndRound()
        {
            lock (_gate)
            {
                _inRound = false;
                Rounds++;
                _written.AddRange(_queued);
                _queued.Clear();
            }
        }

        private sealed class Sink(BatchingClient client, TopicKey topic) : TopicSubscription(topic, KlineDataFormat.Instance)
        {
            protected override void Deliver(KlineFrame frame)
            {
                lock (client._gate)
                {
                    client.DirectFrames++;
                    client._written.Add((Topic, frame.Candle.Time));
                }
            }

            protected override void Deliver(KlineFrame frame, DeliveryRound round)
            {
                lock (client._gate)
                {
                    client._queued.Add((Topic, frame.Candle.Time));
                    if (!client._inRound)
                    {
                        client._inRound = true;
                        round.Join(client);
                    }
                }
            }

            protected override void PrepareSnapshot(HistoryPage page, long nowMs)
            {
            }

            protected override void SendSnapshot()
            {
            }
        }
    }
}
