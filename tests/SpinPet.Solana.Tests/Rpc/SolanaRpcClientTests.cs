using System.Diagnostics;
using Microsoft.Extensions.Logging;
using SpinPet.ChainSimulator;
using SpinPet.Solana.Rpc;
using SpinPet.TestSupport;

namespace SpinPet.Solana.Tests.Rpc;

/// <summary>
/// The RPC client against the chain simulator over real HTTP, with the simulator's faults switched on. Waits are
/// measured between the arrival times the simulator records, and only bounded from below.
/// </summary>
public sealed class SolanaRpcClientTests : IAsyncLifetime
{
    private static readonly string Program = new SimulatorOptions().ProgramId;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    private readonly ChainSimulator.ChainSimulator _simulator = new(new SimulatorOptions { Seed = 31 });
    private readonly HttpClient _http = new();
    private readonly RpcClientCounters _counters = new();
    private readonly RecordingLogger _logger = new();

    public async ValueTask InitializeAsync()
    {
        await _simulator.StartAsync(TestContext.Current.CancellationToken);
        _simulator.ProduceTransactions(40);
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _simulator.DisposeAsync();
    }

    private int LedgerTransactions => _simulator.Blocks.Sum(b => b.Transactions.Count);

    private SolanaRpcClient Client(int maxAttempts = 8, int timeoutMs = 5000) =>
        new(_http, _simulator.RpcUri, "confirmed", TimeSpan.FromMilliseconds(timeoutMs), _logger, _counters, maxAttempts);

    [Fact]
    public async Task Retry_after_in_delta_seconds_is_waited_before_asking_again()
    {
        _simulator.Faults.HttpErrorStatus = 429;
        _simulator.Faults.RetryAfterSeconds = 2;
        _simulator.Faults.HttpErrorRate = 1;

        var call = Client().GetSignaturesForAddressAsync(Program, 1000, null, null, TestContext.Current.CancellationToken);
        await Eventually.TrueAsync(() => _counters.RateLimitedCount >= 1, Timeout, "a 429");
        _simulator.Faults.HttpErrorRate = 0;

        Assert.Equal(LedgerTransactions, (await call).Length);
        // Without Retry-After the first back-off is 50-100 ms. The runtime's timers tick in milliseconds, so a 2 s
        // delay can end a hair before 2 s by the simulator's stopwatch: 1.9 s still tells the two apart.
        AssertFirstRetryWaited("getSignaturesForAddress", TimeSpan.FromSeconds(1.9));
    }

    [Fact]
    public async Task Retry_after_as_an_http_date_is_waited_before_asking_again()
    {
        _simulator.Faults.HttpErrorStatus = 429;
        _simulator.Faults.RetryAfterSeconds = 3;
        _simulator.Faults.RetryAfterAsDate = true;
        _simulator.Faults.HttpErrorRate = 1;

        var call = Client().GetSignaturesForAddressAsync(Program, 1000, null, null, TestContext.Current.CancellationToken);
        await Eventually.TrueAsync(() => _counters.RateLimitedCount >= 1, Timeout, "a 429");
        _simulator.Faults.HttpErrorRate = 0;

        Assert.Equal(LedgerTransactions, (await call).Length);
        // An HTTP-date has whole seconds: now + 3 s, truncated, is at least 2 s away; 1.5 s leaves room for the transfer.
        AssertFirstRetryWaited("getSignaturesForAddress", TimeSpan.FromSeconds(1.5));
    }

    [Fact]
    public async Task A_4xx_other_than_429_is_not_retried()
    {
        _simulator.Faults.HttpErrorStatus = 403;
        _simulator.Faults.HttpErrorRate = 1;

        var failure = await Assert.ThrowsAsync<RpcUnavailableException>(() =>
            Client().GetSignaturesForAddressAsync(Program, 1000, null, null, TestContext.Current.CancellationToken));

        Assert.Contains("HTTP 403", failure.Message, StringComparison.Ordinal);
        Assert.Equal(1, _simulator.Stats.HttpRequestsFor("getSignaturesForAddress"));
        Assert.Equal(1, _counters.HttpErrorCount);
    }

    [Fact]
    public async Task A_timed_out_call_is_retried()
    {
        _simulator.Faults.ResponseDelay = TimeSpan.FromSeconds(30);

        var call = Client(timeoutMs: 300).GetSignaturesForAddressAsync(Program, 1000, null, null, TestContext.Current.CancellationToken);
        await Eventually.TrueAsync(() => _counters.TimeoutCount >= 1, Timeout, "a timeout");
        _simulator.Faults.ResponseDelay = TimeSpan.Zero;

        Assert.Equal(LedgerTransactions, (await call).Length);
        Assert.True(_simulator.Stats.HttpRequestsFor("getSignaturesForAddress") >= 2, "the call should have been asked again");
    }

    [Fact]
    public async Task Every_kind_of_garbage_is_refused_counted_and_retried()
    {
        var signature = _simulator.Blocks.First(b => b.Transactions.Count > 0).Transactions[0].Signature;
        _simulator.Faults.HttpGarbageRate = 1;

        // In turn: an HTML page, logMessages a string, 8 MiB. Three attempts see one of each.
        var failure = await Assert.ThrowsAsync<RpcUnavailableException>(() =>
            Client(maxAttempts: 3).GetTransactionAsync(signature, TestContext.Current.CancellationToken));

        Assert.Contains("larger than", failure.Message, StringComparison.Ordinal);
        Assert.Equal(2, _counters.GarbageCount);
        Assert.Equal(1, _counters.OversizeCount);
        Assert.Equal(3, _simulator.Stats.HttpGarbageAnswers);

        _simulator.Faults.HttpGarbageRate = 0;
        var transaction = await Client().GetTransactionAsync(signature, TestContext.Current.CancellationToken);
        Assert.NotNull(transaction?.Meta?.LogMessages);
    }

    [Fact]
    public async Task A_signature_page_with_wrongly_typed_entries_is_garbage()
    {
        _simulator.Faults.HttpGarbageRate = 1;

        // An HTML page, then entries whose signature is a number and slot a string.
        await Assert.ThrowsAsync<RpcUnavailableException>(() =>
            Client(maxAttempts: 2).GetSignaturesForAddressAsync(Program, 1000, null, null, TestContext.Current.CancellationToken));

        Assert.Equal(2, _counters.GarbageCount);
        Assert.Contains(_logger.Lines, line => line.Level == LogLevel.Warning && line.Message.Contains("garbage from the node", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Retries_are_logged_at_warning_once_per_ten_seconds_and_the_rest_at_debug()
    {
        _simulator.Faults.HttpErrorStatus = 500;
        _simulator.Faults.HttpErrorRate = 1;

        // Four attempts, three retries, well within 10 s (the back-off stays under a second).
        await Assert.ThrowsAsync<RpcUnavailableException>(() =>
            Client(maxAttempts: 4).GetSignaturesForAddressAsync(Program, 1000, null, null, TestContext.Current.CancellationToken));

        var retries = _logger.Lines.Where(line => line.Message.Contains("HTTP 500", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, retries.Count);
        Assert.Equal(LogLevel.Warning, retries[0].Level);
        Assert.All(retries.Skip(1), line => Assert.Equal(LogLevel.Debug, line.Level));
    }

    private void AssertFirstRetryWaited(string method, TimeSpan atLeast)
    {
        var calls = _simulator.Stats.RecentHttpCalls.Where(c => c.Method == method).ToList();
        Assert.True(calls.Count >= 2, $"{calls.Count} {method} calls");
        var waited = Stopwatch.GetElapsedTime(calls[0].Timestamp, calls[1].Timestamp);
        Assert.True(waited >= atLeast, $"the retry came {waited.TotalMilliseconds:0} ms after the first call, expected at least {atLeast.TotalMilliseconds:0} ms");
    }
}
