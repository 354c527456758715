namespace SpinPet.EndToEnd.Tests.Examples;

/// <summary>
/// The examples in examples/ run unchanged against the real server on a trading chain: the design document's Node
/// test (section 9.2), its client adapted to Node (8.1) and the C# counterpart of its Rust client (8.2).
/// </summary>
public sealed class ExampleClientTests(TradingChain chain) : IClassFixture<TradingChain>
{
    // The Node test gives up after 30 s on its own; the extra time covers process start-up on a busy machine.
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task The_design_documents_node_test_passes_against_the_server()
    {
        ExamplePaths.RequireNodeModules();
        var run = await chain.WhileTradingAsync(() => RunNodeTestAsync(chain.Mint));
        Assert.True(run.ExitCode == 0 && !run.TimedOut, run.Describe("node test_kline_websocket.js"));
        Assert.Contains("✓ Received historical data:", run.Output, StringComparison.Ordinal);
        Assert.Contains("✓ Received real-time data:", run.Output, StringComparison.Ordinal);
        Assert.Contains("✓ All tests passed", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_node_test_exits_non_zero_when_the_server_answers_with_an_error()
    {
        ExamplePaths.RequireNodeModules();
        // The design document's own placeholder: not a Solana address, so the subscription is refused with 1001.
        var run = await RunNodeTestAsync("test_mint_account");
        Assert.True(run.ExitCode == 1 && !run.TimedOut, run.Describe("node test_kline_websocket.js"));
        Assert.Contains("Invalid symbol", run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("All tests passed", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_node_client_prints_history_and_live_candles()
    {
        ExamplePaths.RequireNodeModules();
        var run = await chain.WhileTradingAsync(() => ChildProcess.RunAsync("node", [ExamplePaths.Js("kline-client.js"), chain.WsUrl, chain.Mint, "s1"],
            new Dictionary<string, string> { ["MAX_UPDATES"] = "3" }, Deadline));
        Assert.True(run.ExitCode == 0 && !run.TimedOut, run.Describe("node kline-client.js"));
        Assert.Contains($"History data: {chain.Mint} s1", run.Output, StringComparison.Ordinal);
        Assert.Contains("Subscription confirmed:", run.Output, StringComparison.Ordinal);
        Assert.Equal(3, CountLines(run.Output, $"Real-time K-line: {chain.Mint} s1 sub_1 "));
    }

    [Fact]
    public async Task The_csharp_client_prints_history_and_live_candles_and_stops_after_max_updates()
    {
        var run = await chain.WhileTradingAsync(() => RunCSharpClientAsync(chain.Mint, "--max-updates", "3"));
        Assert.True(run.ExitCode == 0 && !run.TimedOut, run.Describe("SpinPet.KlineClient"));
        Assert.Contains("Connected: {\"type\":\"connection_success\"", run.Output, StringComparison.Ordinal);
        Assert.Contains($"History data: {chain.Mint} s1, ", run.Output, StringComparison.Ordinal);
        Assert.Contains("Subscription confirmed: {", run.Output, StringComparison.Ordinal);
        Assert.Equal(3, CountLines(run.Output, $"Real-time K-line: {{\"symbol\":\"{chain.Mint}\",\"interval\":\"s1\",\"subscription_id\":\"csharp_client_1\""));
    }

    [Fact]
    public async Task The_csharp_client_exits_1_when_the_server_answers_with_an_error()
    {
        var run = await RunCSharpClientAsync("test_mint_account");
        Assert.True(run.ExitCode == 1 && !run.TimedOut, run.Describe("SpinPet.KlineClient"));
        Assert.Contains("Error: {\"type\":\"error\",\"code\":1001", run.Output, StringComparison.Ordinal);
    }

    private Task<ChildProcess> RunNodeTestAsync(string mint) =>
        ChildProcess.RunAsync("node", [ExamplePaths.Js("test_kline_websocket.js")],
            new Dictionary<string, string> { ["WS_URL"] = chain.WsUrl, ["TEST_MINT"] = mint }, Deadline);

    private Task<ChildProcess> RunCSharpClientAsync(string mint, params string[] extra) =>
        ChildProcess.RunAsync("dotnet", [ExamplePaths.KlineClientDll(), "--url", chain.WsUrl, "--symbol", mint, .. extra],
            new Dictionary<string, string>(), Deadline);

    private static int CountLines(string output, string prefix) =>
        output.Split('\n').Count(line => line.StartsWith(prefix, StringComparison.Ordinal));
}
