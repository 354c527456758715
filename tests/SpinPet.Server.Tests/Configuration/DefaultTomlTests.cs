using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using SpinPet.Server.Configuration;
using SpinPet.TestSupport;

namespace SpinPet.Server.Tests.Configuration;

/// <summary>Keeps config/default.toml honest against the key table of shared/spec/config.md.</summary>
public sealed partial class DefaultTomlTests
{
    private static readonly string DefaultToml = Path.Combine(RepoPaths.Root, "config", "default.toml");

    [Fact]
    public void The_contract_table_is_read()
    {
        // Guards the parser below: a reformatted table must not turn this into a test of nothing.
        var keys = ContractKeys().Select(k => k.Key).ToList();

        Assert.True(keys.Count >= 30, $"only {keys.Count} keys read from config.md");
        Assert.Contains("websocket.ping_timeout", keys);
        Assert.Contains("cors.allow_origins", keys);
        Assert.Contains("security.admin_api_key", keys);
    }

    [Fact]
    public void Every_key_of_the_contract_has_its_default_in_default_toml()
    {
        var configuration = new ConfigurationBuilder().AddTomlFile(DefaultToml).Build();
        var present = configuration.AsEnumerable().Select(p => p.Key).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var text = File.ReadAllText(DefaultToml);
        var mismatches = new List<string>();

        foreach (var (key, expected) in ContractKeys())
        {
            var path = key.Replace('.', ':');
            var section = configuration.GetSection(path);
            var items = section.GetChildren().OrderBy(c => int.Parse(c.Key, System.Globalization.CultureInfo.InvariantCulture))
                .Select(c => c.Value).ToList();
            if (expected == "unset")
            {
                // Absent (secrets never sit in a committed file) but documented for the operator.
                if (section.Value is not null || items.Count > 0 || !text.Contains(key[(key.IndexOf('.', StringComparison.Ordinal) + 1)..], StringComparison.Ordinal))
                {
                    mismatches.Add($"{key}: expected unset and mentioned in a comment");
                }
            }
            else if (expected.StartsWith('['))
            {
                var list = JsonSerializer.Deserialize<string[]>(expected)!;
                if ((!present.Contains(path) && items.Count == 0) || !list.SequenceEqual(items))
                {
                    mismatches.Add($"{key}: expected {expected}, found [{string.Join(", ", items)}]");
                }
            }
            else if (section.Value != expected)
            {
                mismatches.Add($"{key}: expected {expected}, found {section.Value ?? "nothing"}");
            }
        }

        Assert.Empty(mismatches);
    }

    [Fact]
    public void The_additional_keys_of_this_server_have_their_defaults()
    {
        var configuration = new ConfigurationBuilder().AddTomlFile(DefaultToml).Build();

        Assert.Equal("30000", configuration["solana:ws_idle_timeout_ms"]);
        Assert.Equal("10000", configuration["solana:rpc_timeout_ms"]);
        Assert.Equal("8", configuration["solana:rpc_max_concurrency"]);
        Assert.Equal("text", configuration["logging:format"]);
        Assert.Equal("1048576", configuration["websocket:max_outbox_bytes"]);
        Assert.Equal("16777216", configuration["websocket:max_outbox_bytes_per_ip"]);
        Assert.Equal("268435456", configuration["websocket:max_outbox_bytes_total"]);
        Assert.Equal("false", configuration["simulator:enabled"]);
        Assert.Equal("1", configuration["simulator:seed"]);
        Assert.Equal("8", configuration["simulator:mints"]);
        Assert.Equal("20", configuration["simulator:tps"]);
        Assert.Equal("0", configuration["simulator:rpc_port"]);
        Assert.Equal("0", configuration["simulator:ws_port"]);
        // [cluster] of shared/spec/cluster.md (the config.md table says only "cluster.*").
        Assert.Equal("single", configuration["cluster:mode"]);
        Assert.Equal("all", configuration["cluster:role"]);
        Assert.Equal("nats://127.0.0.1:4222", configuration["cluster:nats_url"]);
        Assert.Equal("SPINPET", configuration["cluster:stream"]);
        Assert.Null(configuration["cluster:node_id"]);
        Assert.Equal("10000", configuration["cluster:lease_ttl_ms"]);
        Assert.Equal("100", configuration["cluster:max_ready_lag"]);
    }

    [Fact]
    public void No_committed_config_file_sets_a_secret()
    {
        foreach (var file in Directory.GetFiles(Path.Combine(RepoPaths.Root, "config"), "*.toml"))
        {
            var configuration = new ConfigurationBuilder().AddTomlFile(file).Build();

            Assert.Null(configuration["security:admin_api_key"]);
            Assert.DoesNotContain("api-key=", configuration["solana:rpc_url"] ?? "", StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("api-key=", configuration["solana:ws_url"] ?? "", StringComparison.OrdinalIgnoreCase);
        }
    }

    /// <summary>
    /// Rows such as <c>| server.host / server.port | `0.0.0.0` / `8080` | … |</c> or
    /// <c>| websocket.ping_interval / ping_timeout | `25000` / `60000` (ms) | |</c>: keys split on " / ", a key without
    /// a section takes the first key's, and the n-th key takes the n-th backticked default (or the bare text, "unset").
    /// </summary>
    private static IEnumerable<KeyValuePair<string, string>> ContractKeys()
    {
        foreach (var line in File.ReadLines(RepoPaths.SharedFile("spec", "config.md")))
        {
            var cells = line.Split('|');
            if (cells.Length < 4 || !KeyCell().IsMatch(cells[1].Trim()))
            {
                continue;
            }
            var keys = cells[1].Split(" / ", StringSplitOptions.TrimEntries);
            var section = keys[0][..keys[0].IndexOf('.', StringComparison.Ordinal)];
            var defaults = Backticked().Matches(cells[2]).Select(m => m.Groups[1].Value).ToList();
            for (var i = 0; i < keys.Length; i++)
            {
                var key = keys[i].Contains('.', StringComparison.Ordinal) ? keys[i] : $"{section}.{keys[i]}";
                var value = defaults.Count == 0 ? cells[2].Trim() : defaults[Math.Min(i, defaults.Count - 1)];
                yield return new(key, value);
            }
        }
    }

    [GeneratedRegex(@"^[a-z_]+\.[a-z_]+( / [a-z_.]+)*$")]
    private static partial Regex KeyCell();

    [GeneratedRegex("`([^`]*)`")]
    private static partial Regex Backticked();
}
