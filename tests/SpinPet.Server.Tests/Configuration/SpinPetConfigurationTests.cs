using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SpinPet.Server.Configuration;
using SpinPet.TestSupport;

namespace SpinPet.Server.Tests.Configuration;

public sealed class SpinPetConfigurationTests : IDisposable
{
    private readonly TempFolder _root = new("spinpet-config");

    public SpinPetConfigurationTests()
    {
        Directory.CreateDirectory(Path.Combine(_root.Path, "config"));
        Write("default.toml",
            """
            [server]
            host = "from-default"
            port = 1
            [kline]
            connection_timeout = 1
            max_subscriptions_per_client = 1
            history_data_limit = 1
            """);
    }

    public void Dispose() => _root.Dispose();

    [Fact]
    public void Later_sources_win_default_then_overlay_then_environment_then_command_line()
    {
        Write("staging.toml",
            """
            [server]
            port = 2
            [kline]
            connection_timeout = 2
            history_data_limit = 2
            """);
        var environment = new Dictionary<string, string>
        {
            ["SPIN_ENV"] = "staging",
            ["SPIN_SERVER__PORT"] = "3",
            ["SPIN_KLINE__HISTORY_DATA_LIMIT"] = "3",
        };

        var configuration = Build(["--server:port=4"], environment);

        Assert.Equal("from-default", configuration["server:host"]);
        Assert.Equal("1", configuration["kline:max_subscriptions_per_client"]);
        Assert.Equal("2", configuration["kline:connection_timeout"]);
        Assert.Equal("3", configuration["kline:history_data_limit"]);
        Assert.Equal("4", configuration["server:port"]);
    }

    [Fact]
    public void Environment_variable_names_are_case_insensitive_and_need_the_prefix()
    {
        var configuration = Build([], new Dictionary<string, string>
        {
            ["spin_Server__Port"] = "7",
            ["SERVER__HOST"] = "no-prefix-is-ignored",
        });

        Assert.Equal("7", configuration["SERVER:PORT"]);
        Assert.Equal("from-default", configuration["server:host"]);
    }

    [Fact]
    public void A_missing_overlay_file_is_skipped()
    {
        var configuration = Build([], new Dictionary<string, string> { ["SPIN_ENV"] = "nowhere" });

        Assert.Equal("1", configuration["server:port"]);
        var files = SpinPetConfiguration.Locate(_root.Path, new Dictionary<string, string> { ["SPIN_ENV"] = "nowhere" });
        Assert.Equal("nowhere", files.EnvironmentName);
        Assert.Null(files.OverlayFile);
    }

    [Fact]
    public void An_environment_name_that_is_a_path_is_refused()
    {
        var error = Assert.Throws<ConfigurationFileException>(() =>
            SpinPetConfiguration.Locate(_root.Path, new Dictionary<string, string> { ["SPIN_ENV"] = "../secrets" }));

        Assert.StartsWith("SPIN_ENV: '../secrets' is not a valid environment name", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bare_flag_does_not_swallow_the_next_argument()
    {
        var configuration = Build(["--simulator", "--server:port=9000", "positional"], []);

        Assert.Equal("9000", configuration["server:port"]);
        Assert.Null(configuration["simulator"]);
    }

    [Fact]
    public void The_config_folder_of_the_content_root_comes_first()
    {
        var files = SpinPetConfiguration.Locate(_root.Path, new Dictionary<string, string>());

        Assert.Equal(Path.Combine(_root.Path, "config"), files.Folder);
        Assert.Equal(Path.Combine(_root.Path, "config", "default.toml"), files.DefaultFile);
    }

    [Fact]
    public void Without_a_config_folder_in_the_content_root_the_copy_beside_the_binary_is_used()
    {
        using var elsewhere = new TempFolder("spinpet-no-config");

        var files = SpinPetConfiguration.Locate(elsewhere.Path, new Dictionary<string, string>());

        Assert.Equal(Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "config")), files.Folder);
    }

    [Fact]
    public void Invalid_toml_in_a_source_file_is_reported_with_its_path_and_position()
    {
        Write("default.toml", "[server]\nport = \"unterminated\n");

        var error = Record.Exception(() => Build([], []));

        Assert.NotNull(error);
        Assert.True(ConfigurationErrors.TryDescribe(error, out var problems));
        var line = Assert.Single(problems);
        Assert.StartsWith(Path.Combine(_root.Path, "config", "default.toml") + ", line 2, column ", line, StringComparison.Ordinal);
        Assert.Contains("invalid TOML", line, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_table_or_a_key_outside_any_table_in_a_toml_file_stops_the_start_naming_the_file()
    {
        Write("staging.toml",
            """
            port = 9000
            [websockets]
            compression = true
            """);
        var configuration = Build([], new Dictionary<string, string> { ["SPIN_ENV"] = "staging" });
        var services = new ServiceCollection().AddSpinPetOptions(configuration);
        using var provider = services.BuildServiceProvider();

        var error = Record.Exception(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.NotNull(error);
        Assert.True(ConfigurationErrors.TryDescribe(error, out var problems), error.ToString());
        string file = Path.Combine(_root.Path, "config", "staging.toml");
        // (The test's default.toml has values other checks refuse; only the lines about the sources matter here.)
        Assert.Equal(
            [
                $"{file}: 'port' is outside any [section]; every setting belongs to one",
                $"websockets: unknown section (set by {file}; known sections: cluster, cors, database, ipfs, kline, logging, rest, security, server, simulator, solana, websocket)",
            ],
            problems.Where(p => p.Contains(file, StringComparison.Ordinal)));
    }

    [Fact]
    public void Add_toml_file_treats_a_missing_optional_file_as_empty()
    {
        var configuration = new ConfigurationBuilder()
            .AddTomlFile(Path.Combine(_root.Path, "absent.toml"), optional: true)
            .Build();

        Assert.Empty(configuration.AsEnumerable());
    }

    private IConfigurationRoot Build(string[] args, Dictionary<string, string> environment) =>
        new ConfigurationBuilder().AddSpinPetSources(_root.Path, args, environment).Build();

    private void Write(string fileName, string toml) =>
        File.WriteAllText(Path.Combine(_root.Path, "config", fileName), toml);
}
