using SpinPet.Core.Candles;
using SpinPet.Core.Chain;
using SpinPet.Storage;
using SpinPet.Streaming;

namespace SpinPet.Server.Streaming;

/// <summary>The /ws service's history, read from RocksDB (one ordered range read per call).</summary>
internal sealed class StoreCandleHistory(SpinPetStore store) : ICandleHistory
{
    public HistoryPage Newest(PublicKey mint, Interval interval, int limit, long? before)
    {
        var page = store.Candles.ReadCandlesNewest(mint, interval, limit, before);
        // The store reads newest first; the protocol sends oldest first.
        var candles = new Candle[page.Candles.Count];
        for (int i = 0; i < candles.Length; i++)
        {
            candles[i] = page.Candles[candles.Length - 1 - i];
        }
        return new HistoryPage(candles, page.HasMore, store.Candles.CountCandles(mint, interval));
    }

    public HistoryPage? ChangedSince(PublicKey mint, Interval interval, long seq, int limit)
    {
        if (seq < store.Meta.ResumeFloor)
        {
            // Rows of an earlier epoch may carry seqs above this one: this history cannot tell (docs/storage.md, "Positions").
            return null;
        }
        var changed = store.Candles.ReadChangedSince(mint, interval, seq, limit);
        if (!changed.Complete)
        {
            return null;
        }
        // Newest first from the store; oldest first on the wire. Older candles than these are stored when the count says so.
        var candles = new Candle[changed.Candles.Count];
        for (int i = 0; i < candles.Length; i++)
        {
            candles[i] = changed.Candles[candles.Length - 1 - i].Candle;
        }
        long total = store.Candles.CountCandles(mint, interval);
        return new HistoryPage(candles, total > candles.Length, total);
    }

    public HistoryPage From(PublicKey mint, Interval interval, long from, int limit)
    {
        var page = store.Candles.ReadCandlesFrom(mint, interval, from, limit);
        return new HistoryPage(page.Candles, page.HasMore, store.Candles.CountCandles(mint, interval));
    }
}
