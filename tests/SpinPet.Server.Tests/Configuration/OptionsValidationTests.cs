using SpinPet.Core.Candles;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SpinPet.Indexer.Metadata;
using SpinPet.Server.Configuration;
using SpinPet.TestSupport;

namespace SpinPet.Server.Tests.Configuration;

/// <summary>The repository's config/ files plus injected environment variables, validated as at start-up.</summary>
public sealed class OptionsValidationTests
{
    [Theory]
    [InlineData("SPIN_SERVER__PORT", "70000", "server.port: 70000 is out of range 0..65535")]
    [InlineData("SPIN_SERVER__PORT", "abc", "server.port: 'abc' is not an integer")]
    [InlineData("SPIN_SERVER__PORT", "99999999999", "server.port: 99999999999 is out of range -2147483648..2147483647")]
    [InlineData("SPIN_SERVER__HOST", " ", "server.host: must not be empty (0.0.0.0 listens on every interface)")]
    [InlineData("SPIN_KLINE__INTERVALS__3", "x5", "kline.intervals: 'x5' is not an interval (a letter s, m, h or d and a count, e.g. m15)")]
    [InlineData("SPIN_KLINE__INTERVALS__3", "m05", "kline.intervals: 'm05' is not an interval (a letter s, m, h or d and a count, e.g. m15)")]
    [InlineData("SPIN_KLINE__INTERVALS__3", "h7", "kline.intervals: 'h7' does not divide a day evenly (candles align to UTC midnight)")]
    [InlineData("SPIN_KLINE__INTERVALS__3", "d400", "kline.intervals: 'd400' is longer than 365 days")]
    [InlineData("SPIN_KLINE__INTERVALS__3", "s300", "kline.intervals: 's300' is the same length as 'm5' (300 s); keep one")]
    [InlineData("SPIN_KLINE__INTERVALS", "s1,m1", "kline.intervals: expected a list; in the environment set one variable per item (SPIN_KLINE__INTERVALS__0, __1, …)")]
    [InlineData("SPIN_KLINE__VOLUME_UNIT", "lamports", "kline.volume_unit: 'lamports' must be none, sol or token")]
    [InlineData("SPIN_KLINE__VOLUME_UNIT", "1", "kline.volume_unit: '1' must be none, sol or token")]
    [InlineData("SPIN_KLINE__HISTORY_DATA_LIMIT", "-5", "kline.history_data_limit: -5 is out of range 1..1000")]
    [InlineData("SPIN_KLINE__MAX_SUBSCRIPTIONS_PER_CLIENT", "-1", "kline.max_subscriptions_per_client: -1 must be at least 1")]
    [InlineData("SPIN_KLINE__BROADCAST_BUFFER_SIZE", "0", "kline.broadcast_buffer_size: 0 must be at least 1")]
    [InlineData("SPIN_KLINE__CONNECTION_TIMEOUT", "-60", "kline.connection_timeout: -60 must be at least 1")]
    [InlineData("SPIN_KLINE__FINALIZE_GRACE_MS", "-1", "kline.finalize_grace_ms: -1 must be at least 0")]
    [InlineData("SPIN_KLINE__SUPPORTED_SYMBOLS_LIMIT", "-1", "kline.supported_symbols_limit: -1 is out of range 0..10000")]
    [InlineData("SPIN_KLINE__SUPPORTED_SYMBOLS_LIMIT", "10001", "kline.supported_symbols_limit: 10001 is out of range 0..10000")]
    [InlineData("SPIN_KLINE__FANOUT_ROUND_FRAMES", "70000", "kline.fanout_round_frames: 70000 is out of range 0..65536")]
    [InlineData("SPIN_KLINE__ENABLE_KLINE_SERVICE", "yes", "kline.enable_kline_service: 'yes' must be true or false")]
    [InlineData("SPIN_KLINE__MAX_CONECTIONS", "5", "kline.max_conections: unknown key (known keys: intervals, connection_timeout, max_subscriptions_per_client, broadcast_buffer_size, fanout_round_frames, history_data_limit, enable_kline_service, volume_unit, finalize_grace_ms, supported_symbols_limit)")]
    [InlineData("SPIN_WEBSOCKET__MAX_CONNECTIONS", "0", "websocket.max_connections: 0 must be at least 1")]
    [InlineData("SPIN_WEBSOCKET__PING_TIMEOUT", "20000", "websocket.ping_timeout: 20000 must be greater than websocket.ping_interval (25000)")]
    [InlineData("SPIN_WEBSOCKET__PING_INTERVAL", "300", "websocket.ping_interval: 300 must be at least 1000")]
    [InlineData("SPIN_KLINE__CONNECTION_TIMEOUT", "20", "kline.connection_timeout: 20 s must be longer than websocket.ping_interval (25000 ms)")]
    [InlineData("SPIN_KLINE__CONNECTION_TIMEOUT", "25", "kline.connection_timeout: 25 s must be longer than websocket.ping_interval (25000 ms)")]
    [InlineData("SPIN_WEBSOCKET__MAX_MESSAGE_BYTES", "100", "websocket.max_message_bytes: 100 is out of range 256..16777216")]
    [InlineData("SPIN_WEBSOCKET__MESSAGE_BURST", "-3", "websocket.message_burst: -3 must be at least 1")]
    [InlineData("SPIN_WEBSOCKET__MAX_OUTBOX_BYTES", "65536", "websocket.max_outbox_bytes: 65536 must be at least 524288")]
    [InlineData("SPIN_WEBSOCKET__MAX_OUTBOX_BYTES_PER_IP", "65536", "websocket.max_outbox_bytes_per_ip: 65536 must be at least 524288")]
    [InlineData("SPIN_WEBSOCKET__MAX_OUTBOX_BYTES_PER_IP", "16MiB", "websocket.max_outbox_bytes_per_ip: '16MiB' is not an integer")]
    [InlineData("SPIN_WEBSOCKET__MAX_OUTBOX_BYTES_TOTAL", "1048576", "websocket.max_outbox_bytes_total: 1048576 must be at least websocket.max_outbox_bytes_per_ip (16777216)")]
    [InlineData("SPIN_WEBSOCKET__ALLOWED_ORIGINS__0", "https://app.example/", "websocket.allowed_origins: 'https://app.example/' is not an origin (* or scheme://host[:port], no path or trailing slash)")]
    [InlineData("SPIN_CORS__ALLOW_ORIGINS__0", "example.com", "cors.allow_origins: 'example.com' is not an origin (* or scheme://host[:port], no path or trailing slash)")]
    [InlineData("SPIN_SECURITY__ADMIN_API_KEY", "hunter2", "security.admin_api_key: is 7 characters; use at least 16")]
    [InlineData("SPIN_IPFS__GATEWAY_URL", "ipfs.io", "ipfs.gateway_url: 'ipfs.io' is not an absolute http(s) URL without query or fragment")]
    [InlineData("SPIN_IPFS__GATEWAY_URL", "https://gw.example/ipfs/?token=1", "ipfs.gateway_url: 'https://gw.example/ipfs/?token=1' is not an absolute http(s) URL without query or fragment")]
    [InlineData("SPIN_IPFS__TIMEOUT_MS", "50", "ipfs.timeout_ms: 50 is out of range 100..300000")]
    [InlineData("SPIN_IPFS__MAX_CONCURRENCY", "0", "ipfs.max_concurrency: 0 is out of range 1..64")]
    [InlineData("SPIN_IPFS__QUEUE_CAPACITY", "0", "ipfs.queue_capacity: 0 is out of range 1..1000000")]
    [InlineData("SPIN_IPFS__MAX_RESPONSE_BYTES", "10", "ipfs.max_response_bytes: 10 is out of range 1024..16777216")]
    [InlineData("SPIN_LOGGING__LEVEL", "loud", "logging.level: 'loud' must be trace, debug, info, warn, error, critical or none")]
    [InlineData("SPIN_LOGGING__FORMAT", "xml", "logging.format: 'xml' must be text or json")]
    [InlineData("SPIN_SOLANA__COMMITMENT", "processed", "solana.commitment: 'processed' is refused (the server does not handle rollbacks); use confirmed or finalized")]
    [InlineData("SPIN_SOLANA__COMMITMENT", "bogus", "solana.commitment: 'bogus' must be confirmed or finalized")]
    [InlineData("SPIN_SOLANA__RPC_URL", "ws://rpc.example/secret-key", "solana.rpc_url: 'ws://rpc.example/…' is not an http(s) URL")]
    [InlineData("SPIN_SOLANA__RPC_URL", "rpc.example:8899", "solana.rpc_url: 'rpc.example:…' is not an http(s) URL")]
    [InlineData("SPIN_SOLANA__RPC_URL", "not a url", "solana.rpc_url: '(unparsable)' is not an http(s) URL")]
    [InlineData("SPIN_SOLANA__WS_URL", "https://rpc.example/?api-key=secret", "solana.ws_url: 'https://rpc.example/…' is not a ws(s) URL")]
    [InlineData("SPIN_SOLANA__PROGRAM_ID", "not-base58!", "solana.program_id: 'not-base58!' is not a Solana address (base58 of 32 bytes)")]
    [InlineData("SPIN_SOLANA__PROGRAM_ID", "11111111111111111111111111111111111111111111111", "solana.program_id: '11111111111111111111111111111111111111111111111' is not a Solana address (base58 of 32 bytes)")]
    [InlineData("SPIN_SOLANA__BACKFILL_SINCE_SLOT", "-1", "solana.backfill_since_slot: -1 is out of range 0..18446744073709551615")]
    [InlineData("SPIN_SOLANA__BACKFILL_SINCE_SLOT", "slot 5", "solana.backfill_since_slot: 'slot 5' is not an integer")]
    [InlineData("SPIN_SIMULATOR__TPS", "0", "simulator.tps: 0 is out of range (0..100000]")]
    [InlineData("SPIN_SIMULATOR__MINTS", "-8", "simulator.mints: -8 is out of range 1..100000")]
    [InlineData("SPIN_SIMULATOR__RPC_PORT", "70000", "simulator.rpc_port: 70000 is out of range 0..65535")]
    [InlineData("SPIN_SERVER__IDLE_MEMORY_TRIM_S", "3", "server.idle_memory_trim_s: 3 must be 0 (never) or 5..86400 seconds")]
    [InlineData("SPIN_SERVER__IDLE_MEMORY_TRIM_S", "-1", "server.idle_memory_trim_s: -1 must be 0 (never) or 5..86400 seconds")]
    [InlineData("SPIN_SERVER__KNOWN_PROXIES__0", "10.0.0.300", "server.known_proxies: '10.0.0.300' is not an IP address or CIDR network (e.g. 10.0.0.2, 10.0.0.0/24 or fd00::/8)")]
    [InlineData("SPIN_SERVER__KNOWN_PROXIES__0", "10.1", "server.known_proxies: '10.1' is not an IP address or CIDR network (e.g. 10.0.0.2, 10.0.0.0/24 or fd00::/8)")]
    [InlineData("SPIN_SERVER__KNOWN_PROXIES__0", "10.0.0.1/8", "server.known_proxies: '10.0.0.1/8' is not an IP address or CIDR network (e.g. 10.0.0.2, 10.0.0.0/24 or fd00::/8)")]
    [InlineData("SPIN_SERVER__KNOWN_PROXIES__0", "proxy.internal", "server.known_proxies: 'proxy.internal' is not an IP address or CIDR network (e.g. 10.0.0.2, 10.0.0.0/24 or fd00::/8)")]
    [InlineData("SPIN_SERVER__KNOWN_PROXIES", "10.0.0.2", "server.known_proxies: expected a list; in the environment set one variable per item (SPIN_SERVER__KNOWN_PROXIES__0, __1, …)")]
    [InlineData("SPIN_SERVER__FORWARDED_HEADERS", "true", "server.forwarded_headers: is true but server.known_proxies is empty; list the proxy addresses whose X-Forwarded-For to trust")]
    [InlineData("SPIN_SERVER__FORWARDED_HEADERS", "on", "server.forwarded_headers: 'on' must be true or false")]
    [InlineData("SPIN_REST__MAX_REQUESTS_PER_SECOND", "0", "rest.max_requests_per_second: 0 is out of range 1..1000000")]
    [InlineData("SPIN_REST__BURST", "-1", "rest.burst: -1 is out of range 1..1000000")]
    [InlineData("SPIN_REST__BURTS", "5", "rest.burts: unknown key (known keys: max_requests_per_second, burst)")]
    [InlineData("SPIN_CLUSTER__MAX_READY_LAG", "-1", "cluster.max_ready_lag: -1 must be at least 0")]
    [InlineData("SPIN_CLUSTER__MODE", "multi", "cluster.mode: 'multi' must be single or nats")]
    [InlineData("SPIN_CLUSTER__ROLE", "gateway", "cluster.role: 'gateway' needs cluster.mode = nats; a single node is all roles")]
    [InlineData("SPIN_CLUSTER__NATS_URL", "http://nats:4222", "cluster.nats_url: 'http://nats:4222' is not a nats://, tls://, ws:// or wss:// URL")]
    [InlineData("SPIN_CLUSTER__STREAM", "spin.pet", "cluster.stream: 'spin.pet' is not a stream name (letters, digits, '-' and '_')")]
    [InlineData("SPIN_CLUSTER__LEASE_TTL_MS", "10", "cluster.lease_ttl_ms: 10 is out of range 1000..600000")]
    [InlineData("SPIN_CLUSTER__NODEID", "a", "cluster.nodeid: unknown key (known keys: mode, role, nats_url, stream, node_id, lease_ttl_ms, max_ready_lag)")]
    // A section nobody reads is a typo, from the environment as from a file.
    [InlineData("SPIN_CLUSTR__MODE", "nats", "clustr: unknown section (set by SPIN_CLUSTR__MODE; known sections: cluster, cors, database, ipfs, kline, logging, rest, security, server, simulator, solana, websocket)")]
    [InlineData("spin_Websockets__Compression", "true", "websockets: unknown section (set by spin_Websockets__Compression; known sections: cluster, cors, database, ipfs, kline, logging, rest, security, server, simulator, solana, websocket)")]
    [InlineData("SPIN_SERVER_PORT", "9000", "SPIN_SERVER_PORT: not a setting; settings are SPIN_<SECTION>__<KEY>, two underscores between section and key (e.g. SPIN_SERVER__PORT)")]
    public void A_bad_value_is_reported_on_one_line_naming_its_key(string variable, string value, string expected)
    {
        var problems = StartupProblems(new Dictionary<string, string> { [variable] = value });

        Assert.Equal([expected], problems);
    }

    [Fact]
    public void A_wrong_type_on_the_command_line_names_the_key_too()
    {
        var problems = StartupProblems([], "--server:port=abc");

        Assert.Equal(["server.port: 'abc' is not an integer"], problems);
    }

    [Fact]
    public void An_unknown_section_on_the_command_line_is_refused_naming_the_argument()
    {
        var problems = StartupProblems([], "--clustr:mode=nats", "--server:port=9000", "--urls=http://+:80");

        Assert.Equal(
            [
                "--urls: not a setting; settings are --section:key=value (e.g. --server:port=9000)",
                "clustr: unknown section (set by --clustr:mode; known sections: cluster, cors, database, ipfs, kline, logging, rest, security, server, simulator, solana, websocket)",
            ],
            problems);
    }

    [Fact]
    public void Several_keys_of_one_unknown_section_make_one_line_naming_each_variable()
    {
        var problems = StartupProblems(new Dictionary<string, string>
        {
            ["SPIN_CLUSTR__ROLE"] = "gateway",
            ["SPIN_CLUSTR__MODE"] = "nats",
            ["SPIN_CLUSTR__NATS__URL"] = "nats://a:4222",
        });

        var line = Assert.Single(problems);
        Assert.StartsWith("clustr: unknown section (set by SPIN_CLUSTR__MODE, SPIN_CLUSTR__NATS__URL, SPIN_CLUSTR__ROLE; known sections: ", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Variables_without_the_spin_prefix_are_the_hosts_not_ours()
    {
        var problems = StartupProblems(new Dictionary<string, string>
        {
            ["ASPNETCORE_URLS"] = "http://+:1234",
            ["ASPNETCORE_ENVIRONMENT"] = "Staging",
            ["DOTNET_gcServer"] = "1",
            ["PATH"] = "/usr/bin",
            ["SPINNER"] = "yes",
            ["SPIN_ENV"] = "",
        });

        Assert.Empty(problems);
    }

    [Fact]
    public void The_new_sections_are_known_keys()
    {
        var problems = StartupProblems(new Dictionary<string, string>
        {
            ["SPIN_CLUSTER__MODE"] = "single",
            ["SPIN_CLUSTER__ROLE"] = "all",
            ["SPIN_CLUSTER__NODE_ID"] = "node-1",
            ["SPIN_CLUSTER__NATS_URL"] = "nats://a:4222, tls://b:4222",
            ["SPIN_REST__MAX_REQUESTS_PER_SECOND"] = "5",
            ["SPIN_REST__BURST"] = "10",
            ["SPIN_SERVER__FORWARDED_HEADERS"] = "true",
            ["SPIN_SERVER__KNOWN_PROXIES__0"] = "10.0.0.2",
            ["SPIN_SERVER__KNOWN_PROXIES__1"] = "10.1.0.0/16",
            ["SPIN_SERVER__KNOWN_PROXIES__2"] = "fd00::/8",
            ["SPIN_SERVER__KNOWN_PROXIES__3"] = "::1",
        });

        Assert.Empty(problems);
    }

    [Fact]
    public void The_outbox_budgets_take_byte_counts_past_two_gibibytes()
    {
        var problems = StartupProblems(new Dictionary<string, string>
        {
            ["SPIN_WEBSOCKET__MAX_OUTBOX_BYTES_PER_IP"] = "3221225472",
            ["SPIN_WEBSOCKET__MAX_OUTBOX_BYTES_TOTAL"] = "8589934592",
        });

        Assert.Empty(problems);
    }

    [Fact]
    public void The_logging_section_accepts_the_asp_net_core_logging_keys_it_shares()
    {
        var problems = StartupProblems(new Dictionary<string, string>
        {
            ["SPIN_LOGGING__LOGLEVEL__MICROSOFT.ASPNETCORE"] = "Warning",
            ["SPIN_LOGGING__CONSOLE__FORMATTERNAME"] = "simple",
        });

        Assert.Empty(problems);
    }

    [Fact]
    public void Problems_in_several_sections_are_all_reported_at_once()
    {
        var problems = StartupProblems(new Dictionary<string, string>
        {
            ["SPIN_SERVER__PORT"] = "abc",
            ["SPIN_KLINE__VOLUME_UNIT"] = "lamports",
            ["SPIN_WEBSOCKET__MAX_CONNECTIONS"] = "-1",
        });

        Assert.Equal(
            [
                "server.port: 'abc' is not an integer",
                "kline.volume_unit: 'lamports' must be none, sol or token",
                "websocket.max_connections: -1 must be at least 1",
            ],
            problems);
    }

    [Fact]
    public void More_intervals_than_the_builder_supports_are_refused()
    {
        // 65 valid lengths that divide a day (none of them s1, s30 or m5's 300 s), plus the 3 required ones.
        var lengths = Enumerable.Range(2, 86_398).Where(d => 86_400 % d == 0 && d is not 30 and not 300).Take(65).ToList();
        var environment = lengths.Select((d, i) => ($"SPIN_KLINE__INTERVALS__{i}", $"s{d}")).ToDictionary(p => p.Item1, p => p.Item2);

        Assert.Equal(["kline.intervals: 68 intervals are configured; at most 64 are built"], StartupProblems(environment));
    }

    [Fact]
    public void The_secret_admin_key_is_never_echoed()
    {
        const string shortKey = "short-secret";
        const string goodKey = "a-long-enough-admin-key";

        var problems = StartupProblems(new Dictionary<string, string> { ["SPIN_SECURITY__ADMIN_API_KEY"] = shortKey });
        var security = Bind<SecurityOptions>(new Dictionary<string, string> { ["SPIN_SECURITY__ADMIN_API_KEY"] = goodKey });

        Assert.DoesNotContain(problems, p => p.Contains(shortKey, StringComparison.Ordinal));
        Assert.True(security.AdminRoutesEnabled);
        Assert.DoesNotContain(goodKey, security.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("devnet")]
    [InlineData("production")]
    public void The_shipped_configuration_files_are_valid(string? environmentName)
    {
        var environment = new Dictionary<string, string>();
        if (environmentName is not null)
        {
            environment["SPIN_ENV"] = environmentName;
        }

        Assert.Empty(StartupProblems(environment));
    }

    [Fact]
    public void Default_toml_binds_to_the_options_record_defaults()
    {
        AssertSameValues(new ServerOptions(), Bind<ServerOptions>([]));
        AssertSameValues(new KlineOptions(), Bind<KlineOptions>([]));
        AssertSameValues(new WebSocketOptions(), Bind<WebSocketOptions>([]));
        AssertSameValues(new SecurityOptions(), Bind<SecurityOptions>([]));
        AssertSameValues(new CorsOptions(), Bind<CorsOptions>([]));
        AssertSameValues(new IpfsOptions(), Bind<IpfsOptions>([]));
        AssertSameValues(new LoggingOptions(), Bind<LoggingOptions>([]));
        AssertSameValues(new SimulatorSettings(), Bind<SimulatorSettings>([]));
        AssertSameValues(new RestOptions(), Bind<RestOptions>([]));
        AssertSameValues(new ClusterOptions(), Bind<ClusterOptions>([]));
    }

    [Fact]
    public void A_configured_list_replaces_the_default_list_instead_of_extending_it()
    {
        var cors = Bind<CorsOptions>(new Dictionary<string, string> { ["SPIN_CORS__ALLOW_ORIGINS__0"] = "https://app.example" });

        Assert.Equal(["https://app.example"], cors.AllowOrigins);
    }

    [Fact]
    public void The_production_overlay_changes_what_it_says_and_keeps_the_rest()
    {
        var production = new Dictionary<string, string> { ["SPIN_ENV"] = "production" };

        var kline = Bind<KlineOptions>(production);
        Assert.Equal(120, kline.ConnectionTimeout);
        Assert.Equal(500, kline.HistoryDataLimit);
        Assert.Equal(["s1", "s30", "m1", "m5", "m15", "h1", "h4", "d1"], kline.Intervals);
        Assert.Equal(LogFormat.Json, Bind<LoggingOptions>(production).Format);
        Assert.Equal(60_000, Bind<WebSocketOptions>(production).PingTimeout);
        Assert.False(Bind<SecurityOptions>(production).AdminRoutesEnabled);
    }

    [Fact]
    public void Enum_values_bind_case_insensitively()
    {
        var kline = Bind<KlineOptions>(new Dictionary<string, string> { ["SPIN_KLINE__VOLUME_UNIT"] = "SOL" });

        Assert.Equal(VolumeUnit.Sol, kline.VolumeUnit);
    }

    private static IConfigurationRoot Configuration(Dictionary<string, string> environment, params string[] args) =>
        new ConfigurationBuilder().AddSpinPetSources(RepoPaths.Root, args, environment).Build();

    private static IReadOnlyList<string> StartupProblems(Dictionary<string, string> environment, params string[] args)
    {
        var services = new ServiceCollection().AddSpinPetOptions(Configuration(environment, args));
        using var provider = services.BuildServiceProvider();
        var error = Record.Exception(() => provider.GetRequiredService<IStartupValidator>().Validate());
        if (error is null)
        {
            return [];
        }
        Assert.True(ConfigurationErrors.TryDescribe(error, out var problems), error.ToString());
        return problems;
    }

    private static T Bind<T>(Dictionary<string, string> environment)
        where T : class
    {
        var services = new ServiceCollection().AddSpinPetOptions(Configuration(environment));
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IOptions<T>>().Value;
    }

    // Records compare arrays by reference; their JSON form compares values.
    private static void AssertSameValues<T>(T expected, T actual) =>
        Assert.Equal(System.Text.Json.JsonSerializer.Serialize(expected), System.Text.Json.JsonSerializer.Serialize(actual));
}
