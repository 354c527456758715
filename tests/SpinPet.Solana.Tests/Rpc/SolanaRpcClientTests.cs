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
        await Eventually.TrueAsync(() => _counters.RateLimited.Value >= 1, Timeout, "a 429");
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
        await Eventually.TrueAsync(() => _counters.RateLimited.Value >= 1, Timeout, "a 429");
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
        Assert.Equal(1, _counters.HttpErrors.Value);
    }

    [Fact]
    public async Task A_timed_out_call_is_retried()
    {
        _simulator.Faults.ResponseDelay = TimeSpan.FromSeconds(30);

        var call = Client(timeoutMs: 300).GetSignaturesForAddressAsync(Program, 1000, null, null, TestContext.Current.CancellationToken);
        await Eventually.TrueAsync(() => _counters.Timeouts.Value >= 1, Timeout, "a timeout");
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
        Assert.Equal(2, _counters.Garbage.Value);
        Assert.Equal(1, _counters.Oversize.Value);
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

        Assert.Equal(2, _counters.Garbage.Value);
        Assert.Contains(_logger.Lines, line => line.Level == LogLevel.Warning && line.Message.Contains("garbage from the node", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(long.MaxValue)]
    [InlineData(253_402_300_800)] // 10000-01-01: past RFC 3339's four-digit year
    [InlineData(0)]
    [InlineData(-5)]
    public async Task A_block_time_outside_the_rule_is_refused_as_garbage_from_getBlockTime_and_getTransaction(long lie)
    {
        var block = _simulator.Blocks.First(b => b.Transactions.Any(t => !t.Failed));
        _simulator.Faults.BlockTimeOverride = lie;

        var failure = await Assert.ThrowsAsync<RpcUnavailableException>(() =>
            Client(maxAttempts: 2).GetBlockTimeAsync(block.Slot, TestContext.Current.CancellationToken));
        await Assert.ThrowsAsync<RpcUnavailableException>(() =>
            Client(maxAttempts: 2).GetTransactionAsync(block.Transactions.First(t => !t.Failed).Signature, TestContext.Current.CancellationToken));

        Assert.Contains("block time", failure.Message, StringComparison.Ordinal);
        Assert.Equal(4, _counters.Garbage.Value);
        _simulator.Faults.BlockTimeOverride = null;
        Assert.Equal(block.BlockTime, await Client().GetBlockTimeAsync(block.Slot, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_block_time_more_than_ten_minutes_ahead_of_this_clock_is_refused_and_one_less_accepted()
    {
        var block = _simulator.Blocks.First(b => b.Transactions.Count > 0);
        var blockTime = DateTimeOffset.FromUnixTimeSeconds(block.BlockTime);
        var slow = new SolanaRpcClient(_http, _simulator.RpcUri, "confirmed", TimeSpan.FromSeconds(5), _logger, _counters, maxAttempts: 1,
            time: new FixedClock(blockTime - BlockTimeRule.MaxAhead - TimeSpan.FromSeconds(1)));
        var fine = new SolanaRpcClient(_http, _simulator.RpcUri, "confirmed", TimeSpan.FromSeconds(5), _logger, _counters, maxAttempts: 1,
            time: new FixedClock(blockTime - BlockTimeRule.MaxAhead));

        var failure = await Assert.ThrowsAsync<RpcUnavailableException>(() => slow.GetBlockTimeAsync(block.Slot, TestContext.Current.CancellationToken));

        Assert.Contains("601 s ahead of this server's clock", failure.Message, StringComparison.Ordinal);
        Assert.Equal(block.BlockTime, await fine.GetBlockTimeAsync(block.Slot, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_transaction_answered_without_its_logs_meta_or_body_for_another_signature_or_padded_is_garbage()
    {
        var transaction = _simulator.Blocks.SelectMany(b => b.Transactions).First(t => !t.Failed);
        _simulator.Faults.IncompleteTransactionRate = 1;

        // In turn: logMessages null, meta null, no transaction object (three attempts, all refused)…
        await Assert.ThrowsAsync<RpcUnavailableException>(() =>
            Client(maxAttempts: 3).GetTransactionAsync(transaction.Signature, TestContext.Current.CancellationToken));
        Assert.Equal(3, _counters.Garbage.Value);
        // …the slot off by one, which only the listing can tell (the ingest compares the two)…
        var shifted = await Client(maxAttempts: 1).GetTransactionAsync(transaction.Signature, TestContext.Current.CancellationToken);
        Assert.Equal(transaction.Slot + 1, shifted!.Slot);
        // …and another transaction's answer.
        var failure = await Assert.ThrowsAsync<RpcUnavailableException>(() =>
            Client(maxAttempts: 1).GetTransactionAsync(transaction.Signature, TestContext.Current.CancellationToken));

        Assert.Contains("not the one asked for", failure.Message, StringComparison.Ordinal);
        // …and a log padded past what the runtime lets a transaction log.
        var padded = await Assert.ThrowsAsync<RpcUnavailableException>(() =>
            Client(maxAttempts: 1).GetTransactionAsync(transaction.Signature, TestContext.Current.CancellationToken));
        Assert.Contains("longer than 65536 characters", padded.Message, StringComparison.Ordinal);
        Assert.Equal(5, _counters.Garbage.Value);
        _simulator.Faults.IncompleteTransactionRate = 0;
        var whole = await Client().GetTransactionAsync(transaction.Signature, TestContext.Current.CancellationToken);
        Assert.Equal(transaction.Logs, whole!.Meta!.LogMessages);
    }

    [Fact]
    public async Task A_signature_page_longer_than_the_limit_asked_for_is_garbage()
    {
        _simulator.Faults.IgnoreSignatureLimit = true;

        var failure = await Assert.ThrowsAsync<RpcUnavailableException>(() =>
            Client(maxAttempts: 1).GetSignaturesForAddressAsync(Program, 5, null, null, TestContext.Current.CancellationToken));

        Assert.Contains("where at most 5 were asked for", failure.Message, StringComparison.Ordinal);
        Assert.Equal(1, _counters.Garbage.Value);
        _simulator.Faults.IgnoreSignatureLimit = false;
        Assert.Equal(5, (await Client().GetSignaturesForAddressAsync(Program, 5, null, null, TestContext.Current.CancellationToken)).Length);
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

    /// <summary>A wall clock standing at one moment (only <see cref="TimeProvider.GetUtcNow"/> is read by the rule).</summary>
    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
