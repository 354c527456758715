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
/// The seam between the topics and their sinks: an update is serialized once per protocol whose subscriptions take
/// it, only while a topic has one, and every subscription of that protocol gets the same bytes, after its snapshot.
/// A second protocol here is a second <see cref="FrameFormat"/> with sinks of its own, as Socket.IO's will be.
/// </summary>
public sealed class FanoutFormatsTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private static readonly TopicKey Busy = new(Mint(1), Interval.S1);
    private static readonly TopicKey Quiet = new(Mint(2), Interval.S1);

    private readonly TempFolder _folder = new();
    private readonly CancellationTokenSource _stop = new();
    private SpinPetStore _store = null!;
    private TopicHub _hub = null!;
    private Task _broadcaster = Task.CompletedTask;

    public ValueTask InitializeAsync()
    {
        // A real, empty store: every snapshot is an empty page.
        _store = SpinPetStore.Open(_folder.Path);
        _hub = new TopicHub(new StoreCandleHistory(_store), new StreamingOptions { Intervals = Interval.Required }, new StreamingCounters(),
            TimeProvider.System, NullLogger<TopicHub>.Instance);
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
    public async Task An_update_is_serialized_once_per_protocol_in_use_and_shared_by_its_subscriptions()
    {
        var ws = new CountingFormat("ws");
        var other = new CountingFormat("other");
        RecordingSink[] wsSinks = [.. Enumerable.Range(0, 3).Select(_ => Subscribe(Busy, ws))];
        RecordingSink[] otherSinks = [.. Enumerable.Range(0, 2).Select(_ => Subscribe(Busy, other))];
        var quietSink = Subscribe(Quiet, ws);

        _hub.Publish(Busy.Mint, Busy.Interval, State(time: 100, updates: 1));
        await Eventually.TrueAsync(() => wsSinks.Concat(otherSinks).All(s => s.Frames.Count == 1), Wait, "the update at every subscription of the busy topic");

        Assert.Equal(1, ws.Serialized);
        Assert.Equal(1, other.Serialized);
        Assert.All(wsSinks, s => Assert.Same(ws.Last, s.Frames[0]));
        Assert.All(otherSinks, s => Assert.Same(other.Last, s.Frames[0]));
        Assert.All(wsSinks.Concat(otherSinks), s => Assert.Equal(["snapshot", "frame"], s.Events));

        // A topic whose subscriptions all take one protocol is not serialized in the other.
        _hub.Publish(Quiet.Mint, Quiet.Interval, State(time: 100, updates: 1));
        await Eventually.TrueAsync(() => quietSink.Frames.Count == 1, Wait, "the update at the quiet topic");
        Assert.Equal(2, ws.Serialized);
        Assert.Equal(1, other.Serialized);

        // Once a protocol's last subscription of a topic ends, that topic's updates are no longer written in it.
        foreach (var sink in otherSinks)
        {
            _hub.Unsubscribe(sink);
        }
        _hub.Publish(Busy.Mint, Busy.Interval, State(time: 100, updates: 2));
        await Eventually.TrueAsync(() => wsSinks.All(s => s.Frames.Count == 2), Wait, "the second update");
        Assert.Equal(3, ws.Serialized);
        Assert.Equal(1, other.Serialized);
        Assert.All(otherSinks, s => Assert.Single(s.Frames));
    }

    private RecordingSink Subscribe(TopicKey topic, FrameFormat format)
    {
        var sink = new RecordingSink(topic, format);
        _hub.Subscribe(sink, limit: 10);
        return sink;
    }

    private static Candle State(long time, long updates) => new(time, 1, 1, 1, 1, 0, updates, false);

    private static PublicKey Mint(byte id)
    {
        var key = new byte[PublicKey.Length];
        key[0] = id;
        return new PublicKey(key);
    }

    /// <summary>A protocol of its own (/ws's message in a wrapper of its own), counting what it serialized.</summary>
    private sealed class CountingFormat(string name) : FrameFormat
    {
        private int _serialized;
        private KlineFrame? _last;

        public int Serialized => Volatile.Read(ref _serialized);

        public KlineFrame? Last => Volatile.Read(ref _last);

        public override KlineFrame Serialize(TopicKey topic, string symbol, Candle candle, long sequence, long nowMs, long publishedAt, Core.Stream.StreamPosition position)
        {
            Interlocked.Increment(ref _serialized);
            var ws = KlineDataFormat.Instance.Serialize(topic, symbol, candle, sequence, nowMs, publishedAt, position);
            var frame = new KlineFrame([.. System.Text.Encoding.UTF8.GetBytes($"[\"{name}\","), .. ws.Prefix], [.. ws.Suffix, .. "]"u8], candle, sequence, publishedAt, position);
            Volatile.Write(ref _last, frame);
            return frame;
        }
    }

    /// <summary>A sink that keeps what reaches it, in order.</summary>
    private sealed class RecordingSink(TopicKey topic, FrameFormat format) : TopicSubscription(topic, format)
    {
        private readonly Lock _gate = new();
        private readonly List<KlineFrame> _frames = [];
        private readonly List<string> _events = [];

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

        public IReadOnlyList<string> Events
        {
            get
            {
                lock (_gate)
                {
                    return [.. _events];
                }
            }
        }

        protected override void Deliver(KlineFrame frame)
        {
            lock (_gate)
            {
                _frames.Add(frame);
                _events.Add("frame");
            }
        }

        protected override void PrepareSnapshot(HistoryPage page, long nowMs)
        {
        }

        protected override void SendSnapshot()
        {
            lock (_gate)
            {
                _events.Add("snapshot");
            }
        }
    }
}
