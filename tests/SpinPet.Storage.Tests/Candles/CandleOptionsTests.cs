namespace SpinPet.Storage.Tests.Candles;

public sealed class CandleOptionsTests
{
    /// <summary>The OPTIONS-* file RocksDB writes shows the families exist and run with the settings given.</summary>
    [Fact]
    public void The_candle_families_exist_and_candles_run_with_16_KiB_blocks_and_a_bloom_filter()
    {
        using var fixture = new StoreFixture();

        var options = File.ReadAllLines(Directory.GetFiles(fixture.Path, "OPTIONS-*").Max()!).Select(l => l.Trim()).ToList();

        Assert.Contains("[CFOptions \"candle_topics\"]", options);
        var table = options.SkipWhile(l => l != "[TableOptions/BlockBasedTable \"candles\"]").Skip(1).TakeWhile(l => !l.StartsWith('[')).ToList();
        var family = options.SkipWhile(l => l != "[CFOptions \"candles\"]").Skip(1).TakeWhile(l => !l.StartsWith('[')).ToList();
        Assert.Contains("block_size=16384", table);
        Assert.Contains(table, l => l.StartsWith("filter_policy=bloomfilter", StringComparison.Ordinal));
        Assert.Contains("compression=kLZ4Compression", family);
        Assert.Contains("write_buffer_size=16777216", family);
    }
}
