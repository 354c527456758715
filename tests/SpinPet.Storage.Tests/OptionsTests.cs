namespace SpinPet.Storage.Tests;

public sealed class OptionsTests
{
    /// <summary>
    /// RocksDB writes the options it runs with to an OPTIONS-* file; reading it back shows the native library took
    /// them (it refuses to open with a compression it was built without).
    /// </summary>
    [Fact]
    public void The_database_runs_with_lz4_a_signature_bloom_filter_and_two_background_jobs()
    {
        using var fixture = new StoreFixture();

        string options = File.ReadAllText(Directory.GetFiles(fixture.Path, "OPTIONS-*").Max()!);

        Assert.Contains("max_background_jobs=2", options, StringComparison.Ordinal);
        Assert.Contains("[CFOptions \"events\"]", options, StringComparison.Ordinal);
        Assert.Equal("kLZ4Compression", Setting(options, "events", "compression"));
        Assert.Equal("16384", Setting(options, "events", "block_size"));
        Assert.Equal("kNoCompression", Setting(options, "signatures", "compression"));
        Assert.Equal("bloomfilter", Setting(options, "signatures", "filter_policy"));
        Assert.Equal("rocksdb.FixedPrefix.64", Setting(options, "signatures", "prefix_extractor"));
    }

    /// <summary>The value of <paramref name="name"/> in a family's sections (CFOptions and TableOptions).</summary>
    private static string? Setting(string options, string family, string name)
    {
        bool inFamily = false;
        foreach (var raw in options.Split('\n'))
        {
            var line = raw.Trim();
            if (line.StartsWith('['))
            {
                inFamily = line.EndsWith($"\"{family}\"]", StringComparison.Ordinal);
            }
            else if (inFamily && line.StartsWith(name + "=", StringComparison.Ordinal))
            {
                return line[(name.Length + 1)..];
            }
        }
        return null;
    }
}
