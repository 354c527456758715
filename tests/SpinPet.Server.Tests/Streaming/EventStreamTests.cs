using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using SpinPet.Core.Candles;
using SpinPet.Core.Chain;
using SpinPet.Core.Events;
using SpinPet.Core.Ingest;
using SpinPet.Core.Stream;
using SpinPet.Indexer;
using SpinPet.Indexer.Candles;
using SpinPet.Server.Streaming;
using SpinPet.Storage;
using SpinPet.Storage.Tests;
using SpinPet.Streaming;
using SpinPet.Streaming.Events;
using SpinPet.Streaming.Topics;
using SpinPet.TestSupport;

namespace SpinPet.Server.Tests.Streaming;

/// <summary>
/// protocol.md, "The event stream of a mint", on the real store, the real indexer and the host's fan-out adapters: the
/// snapshot is the newest events oldest first, the live stream joins it without a gap or a duplicate whatever the
/// interleaving, and a resume gets exactly the events stored after its seq.
/// </summary>
public sealed class EventStreamTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private readonly TempFolder _folder = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly FakeTimeProvider _time = new(DateTimeOffset.FromUnixTimeSeconds(1_764_062_400));
    private SpinPetStore _store = null!;
    private TopicHub _hub = null!;
    private EventHub _events = null!;
    private SpinPetIndexer _indexer = null!;
    private Task _broadcaster = Task.CompletedTask;
    private int _transactions;

    public ValueTask InitializeAsync()
    {
        _store = SpinPetStore.Open(_folder.Path);
        var options = new StreamingOptions { Intervals = Interval.Required };
        _hub = new TopicHub(new StoreCandleHistory(_store), options, new StreamingCounters(), _time, NullLogger<TopicHub>.Instance);
        _hub.Applied(_store.Meta.Position);
        _events = new EventHub(_hub, new StoreEventHistory(_store), options, _time, NullLogger<EventHub>.Instance);
        _indexer = new SpinPetIndexer(_store, new CandleSettings(Interval.Required, PriceScale.Default, VolumeUnit.Sol),
            [new CandleFanOut(_hub, new EventFanOut(_events))]);
        _broadcaster = _events.RunAsync(_stop.Token);
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
    public void The_snapshot_is_the_newest_events_oldest_first_with_the_position_it_reflects()
    {
        for (int i = 0; i < 5; i++)
        {
            Apply(Trade(mint: 1, amount: (ulong)(i + 1)));
        }
        Apply(Trade(mint: 2, amount: 99));

        var sink = Subscribe(mint: 1, limit: 3, resume: null);

        Assert.Equal([3UL, 4UL, 5UL], sink.Snapshot!.Events.Select(TokenAmount));
        Assert.True(sink.Snapshot.HasMore);
        Assert.Equal(5, sink.Snapshot.TotalCount);
        Assert.Equal(_store.Meta.Position, sink.Snapshot.Position);
        Assert.Null(sink.Snapshot.Recovered);
        // Each item is exactly the one GET /api/events lists.
        var item = JsonDocument.Parse(sink.Snapshot.Events[^1].Json).RootElement;
        Assert.Equal("BuySell", item.GetProperty("event_type").GetString());
        Assert.Equal("5", item.GetProperty("token_amount").GetString());
        Assert.Equal(TestChain.Key(1).ToString(), item.GetProperty("mint_account").GetString());
    }

    [Fact]
    public async Task Live_events_follow_the_snapshot_in_the_order_applied_each_once_with_their_batch_position()
    {
        Apply(Trade(mint: 1, amount: 1));
        var sink = Subscribe(mint: 1, limit: 50, resume: null);
        var first = Apply(Trade(mint: 1, amount: 2), Trade(mint: 2, amount: 50), Trade(mint: 1, amount: 3));
        var second = Apply(Trade(mint: 1, amount: 4));

        await Eventually.TrueAsync(() => sink.Frames.Count == 3, Wait, "three live events of mint 1");
        Assert.Equal([2UL, 3UL, 4UL], sink.Frames.Select(f => TokenAmount(f.Event)));
        Assert.Equal([first, first, second], sink.Frames.Select(f => f.Position));
        Assert.Equal([1UL], sink.Snapshot!.Events.Select(TokenAmount));
    }

    [Fact]
    public async Task A_join_racing_the_indexer_loses_no_event_and_repeats_none()
    {
        // Subscriptions attach while batches are applied on another thread: whatever the interleaving, snapshot plus
        // live events are exactly the mint's stored events from the snapshot's window on, in order.
        Apply(Trade(mint: 1, amount: 1));
        using var applying = new CancellationTokenSource();
        var writer = Task.Run(() =>
        {
            for (ulong amount = 2; amount <= 400; amount++)
            {
                Apply(Trade(mint: 1, amount: amount));
            }
        }, TestContext.Current.CancellationToken);
        var sinks = new List<RecordingSink>();
        while (!writer.IsCompleted && sinks.Count < 40)
        {
            sinks.Add(Subscribe(mint: 1, limit: 5, resume: null));
        }
        await writer;
        foreach (var sink in sinks)
        {
            await Eventually.TrueAsync(() => Received(sink).LastOrDefault() == 400UL, Wait, "the last event");
            var received = Received(sink);
            ulong firstAmount = received[0];
            Assert.Equal([.. Enumerable.Range((int)firstAmount, 400 - (int)firstAmount + 1).Select(i => (ulong)i)], received);
        }
    }

    [Fact]
    public async Task A_resume_gets_exactly_the_events_stored_after_its_seq_in_the_order_applied()
    {
        Apply(Trade(mint: 1, amount: 1));
        var resumeAt = Apply(Trade(mint: 1, amount: 2));
        Apply(Trade(mint: 1, amount: 3), Trade(mint: 2, amount: 7));
        // A late transaction of an earlier slot (a backfill): applied after, listed in apply order.
        Apply(Trade(mint: 1, amount: 4, slot: 5));

        var sink = Subscribe(mint: 1, limit: 1, resume: resumeAt);

        Assert.True(sink.Snapshot!.Recovered);
        Assert.Equal([3UL, 4UL], sink.Snapshot.Events.Select(TokenAmount));
        Assert.Equal(_store.Meta.Position, sink.Snapshot.Position);
        Assert.True(sink.Snapshot.HasMore);
        Assert.Equal(4, sink.Snapshot.TotalCount);

        Apply(Trade(mint: 1, amount: 5));
        await Eventually.TrueAsync(() => sink.Frames.Count == 1, Wait, "the live event after the resume");
        Assert.Equal(5UL, TokenAmount(sink.Frames[0].Event));

        // At the newest position nothing is missing: an empty, recovered snapshot.
        var current = Subscribe(mint: 1, limit: 10, resume: _store.Meta.Position);
        Assert.True(current.Snapshot!.Recovered);
        Assert.Empty(current.Snapshot.Events);
    }

    [Fact]
    public void A_resume_of_another_epoch_or_from_the_future_gets_the_ordinary_snapshot_and_recovered_false()
    {
        Apply(Trade(mint: 1, amount: 1));
        Apply(Trade(mint: 1, amount: 2));

        var otherEpoch = Subscribe(mint: 1, limit: 1, resume: new StreamPosition("another-history", 1));
        Assert.False(otherEpoch.Snapshot!.Recovered);
        Assert.Equal([2UL], otherEpoch.Snapshot.Events.Select(TokenAmount));

        var ahead = Subscribe(mint: 1, limit: 1, resume: _store.Meta.Position.Next());
        Assert.False(ahead.Snapshot!.Recovered);
    }

    [Fact]
    public async Task An_unsubscribed_stream_gets_nothing_more_and_its_topic_is_retired()
    {
        var sink = Subscribe(mint: 1, limit: 10, resume: null);
        Assert.True(_events.HasSubscribers(TestChain.Key(1)));
        _events.Unsubscribe(sink);
        Assert.False(_events.HasSubscribers(TestChain.Key(1)));

        Apply(Trade(mint: 1, amount: 1));
        var other = Subscribe(mint: 1, limit: 10, resume: null);
        Apply(Trade(mint: 1, amount: 2));
        await Eventually.TrueAsync(() => other.Frames.Count == 1, Wait, "the later subscription's event");
        Assert.Empty(sink.Frames);
    }

    private RecordingSink Subscribe(int mint, int limit, StreamPosition? resume)
    {
        var sink = new RecordingSink(TestChain.Key(mint));
        _events.Subscribe(sink, limit, resume);
        return sink;
    }

    private StreamPosition Apply(params IngestedTransaction[] transactions)
    {
        var position = _store.Meta.Position.Next();
        _indexer.Apply(StreamBatch.Of(transactions, null), position);
        return position;
    }

    private IngestedTransaction Trade(int mint, ulong amount, ulong slot = 0)
    {
        int n = Interlocked.Increment(ref _transactions);
        return TestChain.Transaction(n, slot == 0 ? (ulong)(100 + n) : slot, (uint)n, TestChain.BuySell(0, amount, (UInt128)(1000 + amount), mint));
    }

    private static ulong TokenAmount(StreamEvent e) =>
        ulong.Parse(JsonDocument.Parse(e.Json).RootElement.GetProperty("token_amount").GetString()!, System.Globalization.CultureInfo.InvariantCulture);

    private static List<ulong> Received(RecordingSink sink) =>
        [.. sink.Snapshot!.Events.Select(TokenAmount), .. sink.Frames.Select(f => TokenAmount(f.Event))];

    /// <summary>A /ws-format sink that keeps its snapshot page and the frames that reach it.</summary>
    private sealed class RecordingSink(PublicKey mint) : EventSubscription(mint, EventDataFormat.Instance)
    {
        private readonly Lock _gate = new();
        private readonly List<EventFrame> _frames = [];

        public EventPage? Snapshot { get; private set; }

        public IReadOnlyList<EventFrame> Frames
        {
            get
            {
                lock (_gate)
                {
                    return [.. _frames];
                }
            }
        }

        protected override void Deliver(EventFrame frame)
        {
            lock (_gate)
            {
                _frames.Add(frame);
            }
        }

        protected override void PrepareSnapshot(EventPage page, long nowMs) => Snapshot = page;

        protected override void SendSnapshot()
        {
        }

        protected override void Overrun()
        {
        }
    }
}
