using SpinPet.Server.Candles;
using SpinPet.Storage;
using SpinPet.Streaming.Sessions;
using SpinPet.Streaming.Topics;

namespace SpinPet.Server.Streaming;

/// <summary>
/// Runs the /ws machinery for the life of the host: the broadcaster loop, the ping/idle sweeper, and the bridge that
/// hands every stored candle change to the fan-out.
/// </summary>
internal sealed class StreamingService(CandleEngine engine, TopicHub hub, SessionRegistry sessions, SpinPetStore store) : BackgroundService
{
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        // supported_symbols lists recently active mints from the first connection on, restart or not.
        foreach (var topic in store.ReadNewestCandles())
        {
            hub.NoteActivity(topic.Mint, topic.Candle.Time);
        }
        engine.Changed += OnCandlesChanged;
        return base.StartAsync(cancellationToken);
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(hub.RunAsync(stoppingToken), sessions.RunSweeperAsync(stoppingToken));

    public override Task StopAsync(CancellationToken cancellationToken)
    {
        engine.Changed -= OnCandlesChanged;
        return base.StopAsync(cancellationToken);
    }

    /// <summary>On the ingest thread, right after the write: publishing only queues, it never waits for a client.</summary>
    private void OnCandlesChanged(IReadOnlyList<CandleWrite> rows)
    {
        // A batch holds each candle once, unordered; a topic's states must go out oldest candle first.
        var ordered = rows.Count <= 1 ? rows : [.. rows.OrderBy(r => r.Candle.Time)];
        foreach (var row in ordered)
        {
            hub.Publish(row.Mint, row.Interval, row.Candle);
        }
    }
}
