using SpinPet.Server.Configuration;

namespace SpinPet.Server.Tests.Configuration;

public sealed class TomlConfigurationParserTests
{
    [Fact]
    public void Nested_tables_become_colon_separated_keys()
    {
        var data = TomlConfigurationParser.Parse(
            """
            top = "root"
            [server]
            port = 8080
            [a.b.c]
            d = "deep"
            [x]
            y.z = 1
            """,
            "test.toml");

        Assert.Equal("root", data["top"]);
        Assert.Equal("8080", data["server:port"]);
        Assert.Equal("deep", data["a:b:c:d"]);
        Assert.Equal("1", data["x:y:z"]);
    }

    [Fact]
    public void Arrays_become_indexed_keys_including_nested_arrays_and_tables()
    {
        var data = TomlConfigurationParser.Parse(
            """
            intervals = ["s1", "s30", "m5"]
            mixed = [1, [2, 3], { name = "inline" }]
            empty = []
            [[peers]]
            host = "a"
            [[peers]]
            host = "b"
            """,
            "test.toml");

        Assert.Equal(["s1", "s30", "m5"], new[] { data["intervals:0"]!, data["intervals:1"]!, data["intervals:2"]! });
        Assert.Equal("1", data["mixed:0"]);
        Assert.Equal("3", data["mixed:1:1"]);
        Assert.Equal("inline", data["mixed:2:name"]);
        Assert.Equal("b", data["peers:1:host"]);
        // Present but null, like the JSON provider: the key exists, the binder keeps the default.
        Assert.True(data.ContainsKey("empty"));
        Assert.Null(data["empty"]);
    }

    [Fact]
    public void Scalars_are_written_in_invariant_culture()
    {
        var data = TomlConfigurationParser.Parse(
            """
            yes = true
            no = false
            int = -42
            hex = 0xFF
            big = 9_223_372_036_854_775_807
            float = 20.0
            small = 1.5e-8
            unicode = "订阅成功 ✓ é"
            escaped = "tab\there"
            literal = 'C:\path'
            offset = 1979-05-27 07:32:00.5Z
            local_date = 1979-05-27
            local_time = 07:32:00
            """,
            "test.toml");

        Assert.Equal("true", data["yes"]);
        Assert.Equal("false", data["no"]);
        Assert.Equal("-42", data["int"]);
        Assert.Equal("255", data["hex"]);
        Assert.Equal("9223372036854775807", data["big"]);
        Assert.Equal("20", data["float"]);
        Assert.Equal("1.5E-08", data["small"]);
        Assert.Equal("订阅成功 ✓ é", data["unicode"]);
        Assert.Equal("tab\there", data["escaped"]);
        Assert.Equal(@"C:\path", data["literal"]);
        Assert.Equal("1979-05-27T07:32:00.5Z", data["offset"]);
        Assert.Equal("1979-05-27", data["local_date"]);
        Assert.Equal("07:32:00", data["local_time"]);
        Assert.Equal(DateTimeOffset.Parse(data["offset"]!, System.Globalization.CultureInfo.InvariantCulture),
            new DateTimeOffset(1979, 5, 27, 7, 32, 0, 500, TimeSpan.Zero));
    }

    [Fact]
    public void Keys_are_case_insensitive_like_all_configuration()
    {
        var data = TomlConfigurationParser.Parse("[Server]\nPort = 1\n", "test.toml");

        Assert.Equal("1", data["server:port"]);
    }

    [Fact]
    public void Invalid_toml_names_the_file_line_and_column()
    {
        var error = Assert.Throws<ConfigurationFileException>(() =>
            TomlConfigurationParser.Parse("[server]\nhost = \"a\"\nport = = 3\n", "/etc/spin/bad.toml"));

        Assert.Equal("/etc/spin/bad.toml", error.Origin);
        Assert.Equal(3, error.Line);
        Assert.Equal(8, error.Column);
        Assert.StartsWith("/etc/spin/bad.toml, line 3, column 8: invalid TOML: ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_duplicate_key_is_an_error_not_a_silent_override()
    {
        var error = Assert.Throws<ConfigurationFileException>(() =>
            TomlConfigurationParser.Parse("[server]\nport = 1\nport = 2\n", "dup.toml"));

        Assert.Equal(3, error.Line);
        Assert.Contains("port", error.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Keys_that_differ_only_in_case_are_an_error()
    {
        var error = Assert.Throws<ConfigurationFileException>(() =>
            TomlConfigurationParser.Parse("[server]\nport = 1\nPort = 2\n", "case.toml"));

        Assert.Equal("case.toml: key 'server.Port' is defined twice (configuration keys ignore case)", error.Message);
    }
}
