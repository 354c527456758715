using Microsoft.Extensions.Logging.Abstractions;
using SpinPet.Core.Candles;
using SpinPet.Core.Chain;
using SpinPet.Server.Streaming;
using SpinPet.Storage;
using SpinPet.Streaming;
using SpinPet.Streaming.Topics;
using SpinPet.TestSupport;

namespace SpinPet.Server.Tests.Streaming;

public sealed class RecentSymbolsTests
{
    /// <summary>
    /// Every connecting client reads the recent symbols while the ingest adds mints. LINQ over the live dictionary
    /// failed in that race (fanout-spread benchmark: the client's connection was dropped); the snapshot must not.
    /// </summary>
    [Fact]
    public async Task Recent_symbols_can_be_read_while_mints_are_being_added()
    {
        using var folder = new TempFolder();
        using var store = SpinPetStore.Open(folder.Path);
        var hub = new TopicHub(new StoreCandleHistory(store), new StreamingOptions { Intervals = Interval.Required }, new StreamingCounters(), TimeProvider.System, NullLogger<TopicHub>.Instance);
        const int Mints = 200_000;
        var writer = Task.Run(() =>
        {
            Span<byte> key = stackalloc byte[PublicKey.Length];
            for (int i = 1; i <= Mints; i++)
            {
                BitConverter.TryWriteBytes(key, i);
                hub.NoteActivity(new PublicKey(key), i);
            }
        }, TestContext.Current.CancellationToken);

        int reads = 0;
        while (!writer.IsCompleted)
        {
            var symbols = hub.RecentSymbols(20);
            Assert.True(symbols.Count <= 20);
            reads++;
        }
        await writer;

        var newest = hub.RecentSymbols(3);
        Assert.Equal(3, newest.Count);
        Span<byte> expected = stackalloc byte[PublicKey.Length];
        BitConverter.TryWriteBytes(expected, Mints);
        Assert.Equal(new PublicKey(expected).ToString(), newest[0]);
        Assert.True(reads > 0);
    }

    /// <summary>
    /// Every connection's greeting reads the recent symbols. That used to copy and sort every mint ever seen (8 MB and
    /// a sort of 200,000 entries here, per connection); now it costs the list of 100.
    /// </summary>
    [Fact]
    public void Reading_the_recent_symbols_costs_the_short_list_not_every_mint()
    {
        using var folder = new TempFolder();
        using var store = SpinPetStore.Open(folder.Path);
        var hub = new TopicHub(new StoreCandleHistory(store), new StreamingOptions { Intervals = Interval.Required }, new StreamingCounters(), TimeProvider.System, NullLogger<TopicHub>.Instance);
        Span<byte> key = stackalloc byte[PublicKey.Length];
        for (int i = 1; i <= 200_000; i++)
        {
            BitConverter.TryWriteBytes(key, i);
            hub.NoteActivity(new PublicKey(key), i % 50_000);
        }
        Assert.Equal(100, hub.RecentSymbols(100).Count);

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++)
        {
            hub.RecentSymbols(100);
        }
        long perRead = (GC.GetAllocatedBytesForCurrentThread() - before) / 10;

        Assert.True(perRead < 16 * 1024, $"{perRead} bytes allocated per read");
    }
}
