using SpinPet.Indexer;
using SpinPet.Storage;
using SpinPet.Streaming.Events;
using SpinPet.Streaming.Sessions;
using SpinPet.Streaming.Topics;

namespace SpinPet.Server.Streaming;

/// <summary>
/// Runs the /ws machinery for the life of the host: the broadcaster loops (candles, events) and the ping/idle sweeper. Stored candle
/// changes reach the fan-out through <see cref="CandleFanOut"/>.
/// </summary>
internal sealed class StreamingService(TopicHub hub, EventHub events, SessionRegistry sessions, SpinPetStore store, SpinPetIndexer indexer) : BackgroundService
{
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        // The indexer's position once it is current: a candle rebuild at start begins a new epoch without a batch.
        hub.Applied(indexer.Position);
        // supported_symbols lists recently active mints from the first connection on, restart or not.
        foreach (var topic in store.Candles.ReadNewestCandles())
        {
            hub.NoteActivity(topic.Mint, topic.Candle.Time);
        }
        return base.StartAsync(cancellationToken);
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(hub.RunAsync(stoppingToken), events.RunAsync(stoppingToken), sessions.RunSweeperAsync(stoppingToken));
}
