using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using SpinPet.Core.Candles;
using SpinPet.Core.Chain;
using SpinPet.Core.Stream;
using SpinPet.Indexer;
using SpinPet.Server.Streaming;
using SpinPet.Storage;
using SpinPet.Streaming;
using SpinPet.Streaming.Protocol;
using SpinPet.Streaming.Topics;
using SpinPet.TestSupport;

namespace SpinPet.Server.Tests.Streaming;

/// <summary>
/// protocol.md, "Position and resume", on the real store and the host's fan-out adapter: pushes carry the position of
/// the batch that produced them, snapshots the position they reflect, and a resume gets exactly what changed since.
/// </summary>
public sealed class PositionResumeTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private static readonly TopicKey Topic = new(Mint(1), Interval.S1);

    private readonly TempFolder _folder = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly FakeTimeProvider _time = new(DateTimeOffset.FromUnixTimeSeconds(1_764_062_400));
    private SpinPetStore _store = null!;
    private TopicHub _hub = null!;
    private CandleFanOut _fanOut = null!;
    private Task _broadcaster = Task.CompletedTask;
    private readonly HashSet<long> _stored = [];

    public ValueTask InitializeAsync()
    {
        _store = SpinPetStore.Open(_folder.Path);
        _hub = new TopicHub(new StoreCandleHistory(_store), new StreamingOptions { Intervals = Interval.Required }, new StreamingCounters(),
            _time, NullLogger<TopicHub>.Instance);
        _hub.Applied(_store.Meta.Position);
        _fanOut = new CandleFanOut(_hub, new EventFanOut(new SpinPet.Streaming.Events.EventHub(_hub, new StoreEventHistory(_store), new StreamingOptions { Intervals = Interval.Required }, _time, NullLogger<SpinPet.Streaming.Events.EventHub>.Instance)));
        _broadcaster = _hub.RunAsync(_stop.Token);
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
    public async Task Pushes_carry_the_position_of_their_batch_and_the_snapshot_the_position_it_reflects()
    {
        Apply(Open(100, 1));
        var sink = Subscribe(resume: null);

        Assert.Equal(_store.Meta.Position, sink.Snapshot!.Position);
        Assert.Null(sink.Snapshot.Recovered);
        // One batch closes a candle and opens the next: two pushes of the same position, in candle order. The
        // broadcaster may conflate a realtime state with a newer one; every state that goes out names its own batch.
        Apply(Open(100, 2));
        Apply(Final(100, 2), Open(101, 1));
        Apply(Open(101, 2));
        var producedBy = new Dictionary<Candle, long> { [Open(100, 2)] = 2, [Final(100, 2)] = 3, [Open(101, 1)] = 3, [Open(101, 2)] = 4 };
        await Eventually.TrueAsync(() => sink.Frames.Count > 0 && sink.Frames[^1].Candle == Open(101, 2), Wait, "the last state pushed");

        var frames = sink.Frames;
        Assert.Contains(frames, f => f.Candle == Final(100, 2));
        Assert.All(frames, f => Assert.Equal(new StreamPosition(_store.Meta.Position.Epoch, producedBy[f.Candle]), f.Position));
        Assert.All(frames.Zip(frames.Skip(1)), pair => Assert.True(pair.First.Position.Seq <= pair.Second.Position.Seq));
        Assert.True(sink.Snapshot.Position!.Value.Seq < frames[0].Position.Seq);

        // A state no batch produced carries the newest applied position.
        _hub.Publish(Topic.Mint, Topic.Interval, new Candle(101, 1, 1, 1, 1, 0, 3, IsFinal: true));
        await Eventually.TrueAsync(() => sink.Frames[^1].Candle.IsFinal, Wait, "the push of no batch");
        Assert.Equal(_store.Meta.Position, sink.Frames[^1].Position);
    }

    [Fact]
    public async Task A_batch_whose_rows_come_newest_first_pushes_its_candles_oldest_first()
    {
        Apply(Open(100, 1));
        var sink = Subscribe(resume: null);

        // A batch's rows are unordered (one per candle): here a slot that closed two candles and opened a third.
        Apply(Open(102, 1), Final(100, 2), Final(101, 1));
        await Eventually.TrueAsync(() => sink.Frames.Count == 3, Wait, "the batch's three states pushed");

        Assert.Equal([Final(100, 2), Final(101, 1), Open(102, 1)], sink.Frames.Select(f => f.Candle));
    }

    [Fact]
    public void A_resume_at_a_position_of_the_epoch_gets_exactly_the_candles_changed_since_or_open_then()
    {
        Apply(Open(100, 1));
        Apply(Final(100, 1), Open(101, 1));
        Apply(Final(101, 1), Open(102, 1));
        var resumeAt = _store.Meta.Position;
        // After the client's position: 102 changes and closes, 103 and 104 open; 100 and 101 stay as they were.
        Apply(Final(102, 2), Open(103, 1));
        Apply(Final(103, 1), Open(104, 1));

        var sink = Subscribe(resumeAt);
        Assert.True(sink.Snapshot!.Recovered);
        Assert.Equal(_store.Meta.Position, sink.Snapshot.Position);
        Assert.Equal([102, 103, 104], sink.Snapshot.Candles.Select(c => c.Time));
        Assert.Equal([Final(102, 2), Final(103, 1), Open(104, 1)], sink.Snapshot.Candles);
        Assert.True(sink.Snapshot.HasMore);
        Assert.Equal(5, sink.Snapshot.TotalCount);

        // Nothing changed since the newest position: only the open candle, which may still change.
        var current = Subscribe(_store.Meta.Position);
        Assert.True(current.Snapshot!.Recovered);
        Assert.Equal([Open(104, 1)], current.Snapshot.Candles);
    }

    [Fact]
    public void A_resume_of_another_epoch_gets_the_ordinary_snapshot_and_recovered_false()
    {
        Apply(Open(100, 1));
        Apply(Final(100, 1), Open(101, 1));

        var sink = Subscribe(new StreamPosition("another-history", 1), limit: 1);

        Assert.False(sink.Snapshot!.Recovered);
        Assert.Equal([Open(101, 1)], sink.Snapshot.Candles);
        Assert.True(sink.Snapshot.HasMore);
    }

    [Fact]
    public async Task A_node_behind_the_client_waits_for_its_position_holding_no_thread_and_gives_up_after_the_timeout()
    {
        Apply(Open(100, 1));
        var epoch = _store.Meta.Position.Epoch;

        var caughtUp = _hub.WaitForPositionAsync(epoch, 2, TimeSpan.FromSeconds(2), TestContext.Current.CancellationToken);
        Assert.False(caughtUp.IsCompleted);
        Apply(Open(100, 2));
        Assert.True(await caughtUp.WaitAsync(Wait, TestContext.Current.CancellationToken));

        var tooFar = _hub.WaitForPositionAsync(epoch, 10, TimeSpan.FromSeconds(2), TestContext.Current.CancellationToken);
        Apply(Open(100, 3));
        _time.Advance(TimeSpan.FromMilliseconds(1999));
        Assert.False(tooFar.IsCompleted);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.False(await tooFar.WaitAsync(Wait, TestContext.Current.CancellationToken));

        Assert.False(await _hub.WaitForPositionAsync("another-history", 1, TimeSpan.FromSeconds(2), TestContext.Current.CancellationToken));
    }

    private RecordingSink Subscribe(StreamPosition? resume, int limit = 100)
    {
        var sink = new RecordingSink(Topic);
        _hub.Subscribe(sink, limit, resume);
        return sink;
    }

    /// <summary>One batch: its candle rows stored at the next position, then announced as the indexer does.</summary>
    private void Apply(params Candle[] candles)
    {
        var position = _store.Meta.Position.Next();
        CandleWrite[] rows = [.. candles.Select(c => new CandleWrite(Topic.Mint, Topic.Interval, c, IsNew: _stored.Add(c.Time)))];
        using (var write = _store.BeginWrite(position))
        {
            _store.Candles.Stage(write, rows);
            write.Commit();
        }
        _fanOut.OnApplied(new AppliedBatch(position, StreamBatch.FinalizeAt(0), [], rows, default));
    }

    private static Candle Open(long time, long updates) => new(time, 1, 2, 1, 2, 10 * updates, updates, IsFinal: false);

    private static Candle Final(long time, long updates) => Open(time, updates) with { IsFinal = true };

    private static PublicKey Mint(byte id)
    {
        var key = new byte[PublicKey.Length];
        key[0] = id;
        return new PublicKey(key);
    }

    /// <summary>A /ws-format sink that keeps its snapshot page and the frames that reach it.</summary>
    private sealed class RecordingSink(TopicKey topic) : TopicSubscription(topic, KlineDataFormat.Instance)
    {
        private readonly Lock _gate = new();
        private readonly List<KlineFrame> _frames = [];

        public HistoryPage? Snapshot { get; private set; }

        public IReadOnlyList<KlineFrame> Frames
        {
            get
            {
                lock (_gate)
                {
                    return [.. _frames];
                }
            }
        }

        protected override void Deliver(KlineFrame frame)
        {
            lock (_gate)
            {
                _frames.Add(frame);
            }
        }

        protected override void PrepareSnapshot(HistoryPage page, long nowMs) => Snapshot = page;

        protected override void SendSnapshot()
        {
        }
    }
}
