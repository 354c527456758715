using System.Text.Json;
using SpinPet.Core.Candles;
using SpinPet.Core.Chain;
using SpinPet.Streaming.Protocol;
using SpinPet.TestSupport;
using SpinPet.Streaming.Topics;
using SpinPet.WebSockets;

namespace SpinPet.Streaming.Tests.Topics;

/// <summary>
/// connection_success's symbol list, kept as activity arrives: the same answer as sorting every mint, and one
/// serialization shared by every greeting until the list changes.
/// </summary>
public sealed class RecentMintsTests
{
    [Fact]
    public void The_list_is_exactly_the_newest_mints_by_their_latest_activity()
    {
        const int Mints = 1000, Limit = 20;
        var random = new Random(12);
        var recent = new RecentMints(Limit, Interval.Required);
        var latest = new Dictionary<PublicKey, long>();
        // Distinct times in random order, several per mint: a mint's time is its latest, whatever the order.
        var times = Enumerable.Range(0, 20_000).OrderBy(_ => random.Next()).ToList();
        foreach (int time in times)
        {
            var mint = Mint(random.Next(Mints));
            recent.Note(mint, time);
            latest[mint] = Math.Max(latest.GetValueOrDefault(mint, long.MinValue), time);
        }

        var expected = latest.OrderByDescending(m => m.Value).Take(Limit).Select(m => m.Key.ToString());
        Assert.Equal(expected, recent.Symbols());
    }

    [Fact]
    public void Greetings_share_one_serialization_until_the_list_changes()
    {
        var recent = new RecentMints(3, Interval.Required);
        recent.Note(Mint(1), 100);
        recent.Note(Mint(2), 200);

        var first = recent.GreetingTail();
        Assert.Same(first, recent.GreetingTail());
        // Older than what the mint has: nothing changes.
        recent.Note(Mint(2), 150);
        Assert.Same(first, recent.GreetingTail());

        recent.Note(Mint(1), 300);
        var second = recent.GreetingTail();
        Assert.NotSame(first, second);
        Assert.Equal([Mint(1).ToString(), Mint(2).ToString()], Symbols(second));
    }

    [Fact]
    public void A_zero_limit_lists_no_symbol()
    {
        var recent = new RecentMints(0, Interval.Required);
        recent.Note(Mint(1), 100);
        Assert.Empty(recent.Symbols());
        Assert.Empty(Symbols(recent.GreetingTail()));
    }

    [Fact]
    public void A_compressed_greeting_is_this_connections_head_stored_before_the_shared_compressed_tail()
    {
        var recent = new RecentMints(100, Interval.Required);
        for (int i = 0; i < 100; i++)
        {
            recent.Note(Mint(i), i);
        }
        var tail = recent.GreetingTail();
        byte[] head = ServerMessages.ConnectionSuccessHead("5f0c0000-0000-4000-8000-000000000000", 1_764_062_400);

        var deflated = tail.TransportForm(static frame => DeflatedSplice.Create(frame.Prefix, frame.Suffix));
        byte[] compressed = [.. deflated.Prefix, .. PerMessageDeflate.StoredBlock(head), .. deflated.Suffix];

        Assert.Empty(tail.Prefix);
        Assert.True(deflated.IsSmaller);
        Assert.True(compressed.Length < head.Length + tail.Suffix.Length);
        Assert.Equal([.. head, .. tail.Suffix], ClientInflater.Inflate(compressed));
        Assert.Same(deflated, tail.TransportForm(static frame => DeflatedSplice.Create(frame.Prefix, frame.Suffix)));
    }

    private static List<string?> Symbols(SharedFrame tail)
    {
        byte[] head = ServerMessages.ConnectionSuccessHead("id", 0);
        using var greeting = JsonDocument.Parse((byte[])[.. tail.Prefix, .. head, .. tail.Suffix]);
        return [.. greeting.RootElement.GetProperty("supported_symbols").EnumerateArray().Select(e => e.GetString())];
    }

    private static PublicKey Mint(int i)
    {
        var key = new byte[PublicKey.Length];
        BitConverter.TryWriteBytes(key, i + 1);
        return new PublicKey(key);
    }
}
