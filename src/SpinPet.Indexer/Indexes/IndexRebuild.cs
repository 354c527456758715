using Microsoft.Extensions.Logging;
using SpinPet.Core.Ingest;
using SpinPet.Indexer.Events;
using SpinPet.Storage;

namespace SpinPet.Indexer.Indexes;

/// <summary>
/// Recomputes the REST index rows from the event log (docs/storage.md, "Upgrading and rebuilding"), for a database
/// written before they existed or before some of them: empties the index families, replays the stored events in chain
/// order through the same <see cref="IndexRowsWriter"/> that writes them during ingest, 20,000 events per write, and
/// marks the rows complete. The position does not move: the event log and the candles are untouched.
/// </summary>
public static partial class IndexRebuild
{
    /// <summary>~20 k events keep a write at a few MB.</summary>
    private const int EventsPerWrite = 20_000;

    /// <summary>At start, before anything uses the store: rebuilds the index rows when the store says it needs it.</summary>
    public static void EnsureCurrent(SpinPetStore store, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(logger);
        if (store.Indexes.NeedsRebuild)
        {
            LogRebuilding(logger);
            long replayed = Run(store);
            LogRebuilt(logger, replayed, store.Indexes.MintCount);
        }
    }

    /// <summary>Rebuilds every index row; returns the number of events replayed (a payload that does not decode is skipped).</summary>
    public static long Run(SpinPetStore store) => Run(store, StoredEvents.Read);

    /// <summary>As <see cref="Run(SpinPetStore)"/> with another payload reader: for tests whose payloads are stand-ins.</summary>
    internal static long Run(SpinPetStore store, Func<ReadOnlyMemory<byte>, Core.Events.SpinPetEvent?> read)
    {
        ArgumentNullException.ThrowIfNull(store);
        var position = store.Meta.Position;
        using (var clear = store.BeginWrite(position))
        {
            store.Indexes.StageClear(clear);
            clear.Commit();
        }
        var writer = new IndexRowsWriter(store.Indexes);
        var transactions = new List<IngestedTransaction>();
        // The seq of the batch that stored each transaction (its events' seq): mint_event_seqs keeps the apply order.
        var seqs = new List<long>();
        List<DecodedEvent>? events = null;
        StoredEvent? first = null;
        long replayed = 0;
        int staged = 0;
        foreach (var stored in store.Events.ReadEvents())
        {
            if (first is null || stored.Position.Slot != first.Position.Slot || stored.Position.TxIndex != first.Position.TxIndex)
            {
                AddTransaction(transactions, seqs, first, events);
                if (staged >= EventsPerWrite)
                {
                    Write(store, writer, transactions, seqs, position);
                    staged = 0;
                }
                first = stored;
                events = [];
            }
            if (read(stored.Payload) is { } decoded)
            {
                events!.Add(new DecodedEvent(stored.Position.EventIndex, stored.Payload, decoded));
                replayed++;
                staged++;
            }
        }
        AddTransaction(transactions, seqs, first, events);
        Write(store, writer, transactions, seqs, position);
        using (var complete = store.BeginWrite(position))
        {
            store.Indexes.StageComplete(complete);
            complete.Commit();
        }
        return replayed;
    }

    private static void AddTransaction(List<IngestedTransaction> transactions, List<long> seqs, StoredEvent? first, List<DecodedEvent>? events)
    {
        if (first is not null && events is { Count: > 0 })
        {
            seqs.Add(first.Seq);
            transactions.Add(new IngestedTransaction(first.Signature, first.Position.Slot, first.Position.TxIndex, first.BlockTime,
                Failed: false, events, []));
        }
    }

    private static void Write(SpinPetStore store, IndexRowsWriter writer, List<IngestedTransaction> transactions, List<long> seqs,
        Core.Stream.StreamPosition position)
    {
        using var write = store.BeginWrite(position);
        writer.Stage(write, transactions, seqs);
        write.Commit();
        transactions.Clear();
        seqs.Clear();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The database has events but no REST index rows (written by an older version): rebuilding them from the event log")]
    private static partial void LogRebuilding(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Rebuilt the REST index rows from {Events} events ({Mints} mints)")]
    private static partial void LogRebuilt(ILogger logger, long events, int mints);
}
