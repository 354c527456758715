using System.Net;
using System.Text.Json;
using SpinPet.ChainSimulator.Tests.Support;

namespace SpinPet.ChainSimulator.Tests;

/// <summary>Faults whose answers are well-formed but wrong or incomplete, and the listing outage.</summary>
public sealed class LyingAnswerTests : IAsyncLifetime
{
    private static readonly string Program = new SimulatorOptions().ProgramId;
    private static readonly object Json = new { encoding = "json", maxSupportedTransactionVersion = 0 };
    private readonly ChainSimulator _simulator = new(new SimulatorOptions { Seed = 21 });
    private RpcTestClient _rpc = null!;

    public async ValueTask InitializeAsync()
    {
        await _simulator.StartAsync(TestContext.Current.CancellationToken);
        _simulator.ProduceTransactions(30);
        _rpc = new RpcTestClient(_simulator.RpcUri);
    }

    public async ValueTask DisposeAsync()
    {
        _rpc.Dispose();
        await _simulator.DisposeAsync();
    }

    [Fact]
    public async Task A_block_time_override_replaces_every_block_time_answered_and_the_ledger_keeps_the_true_one()
    {
        var block = _simulator.Blocks.First(b => b.Transactions.Count > 0);
        _simulator.Faults.BlockTimeOverride = long.MaxValue;

        Assert.Equal(long.MaxValue, (await _rpc.ResultAsync("getBlockTime", block.Slot)).GetInt64());
        Assert.Equal(long.MaxValue, (await _rpc.ResultAsync("getTransaction", block.Transactions[0].Signature, Json)).GetProperty("blockTime").GetInt64());
        var page = await _rpc.ResultAsync("getSignaturesForAddress", Program, new { limit = 5 });
        Assert.All(page.EnumerateArray(), entry => Assert.Equal(long.MaxValue, entry.GetProperty("blockTime").GetInt64()));

        _simulator.Faults.Reset();
        Assert.Equal(block.BlockTime, (await _rpc.ResultAsync("getBlockTime", block.Slot)).GetInt64());
        Assert.All(_simulator.ExpectedEvents(), e => Assert.Equal(_simulator.Blocks.Single(b => b.Slot == e.Slot).BlockTime, e.BlockTime));
    }

    [Fact]
    public async Task Incomplete_transaction_answers_take_turns_through_every_kind()
    {
        var transaction = _simulator.Blocks.SelectMany(b => b.Transactions).First(t => !t.Failed);
        _simulator.Faults.IncompleteTransactionRate = 1;

        var noLogs = await _rpc.ResultAsync("getTransaction", transaction.Signature, Json);
        Assert.Equal(JsonValueKind.Null, noLogs.GetProperty("meta").GetProperty("logMessages").ValueKind);
        var noMeta = await _rpc.ResultAsync("getTransaction", transaction.Signature, Json);
        Assert.Equal(JsonValueKind.Null, noMeta.GetProperty("meta").ValueKind);
        var noTransaction = await _rpc.ResultAsync("getTransaction", transaction.Signature, Json);
        Assert.False(noTransaction.TryGetProperty("transaction", out _));
        var wrongSlot = await _rpc.ResultAsync("getTransaction", transaction.Signature, Json);
        Assert.Equal(transaction.Slot + 1, wrongSlot.GetProperty("slot").GetUInt64());
        var other = await _rpc.ResultAsync("getTransaction", transaction.Signature, Json);
        Assert.NotEqual(transaction.Signature, other.GetProperty("transaction").GetProperty("signatures")[0].GetString());
        var padded = await _rpc.ResultAsync("getTransaction", transaction.Signature, Json);
        Assert.True(padded.GetProperty("meta").GetProperty("logMessages").EnumerateArray().Sum(l => l.GetString()!.Length) > 80_000);

        Assert.Equal(6, _simulator.Stats.IncompleteTransactionAnswers);
        _simulator.Faults.Reset();
        var whole = await _rpc.ResultAsync("getTransaction", transaction.Signature, Json);
        Assert.Equal(transaction.Logs, whole.GetProperty("meta").GetProperty("logMessages").EnumerateArray().Select(l => l.GetString()));
        Assert.Equal(transaction.Signature, whole.GetProperty("transaction").GetProperty("signatures")[0].GetString());
    }

    [Fact]
    public async Task Ignoring_the_limit_answers_more_signatures_than_asked_for()
    {
        _simulator.Faults.IgnoreSignatureLimit = true;

        var page = await _rpc.ResultAsync("getSignaturesForAddress", Program, new { limit = 5 });

        Assert.Equal(_simulator.Blocks.Sum(b => b.Transactions.Count), page.GetArrayLength());
        Assert.True(page.GetArrayLength() > 5);
    }

    [Fact]
    public async Task A_listing_outage_fails_only_the_listing_after_the_pages_given()
    {
        _simulator.Faults.FailSignatureListingAfter(pagesFirst: 2, failedAnswers: 3);
        var page = _rpc.Request("getSignaturesForAddress", Program, new { limit = 5 });

        var statuses = new List<HttpStatusCode>();
        for (int i = 0; i < 7; i++)
        {
            using var response = await _rpc.PostAsync(page);
            statuses.Add(response.StatusCode);
            // Other methods are served through the outage.
            Assert.Equal("ok", (await _rpc.ResultAsync("getHealth")).GetString());
        }

        HttpStatusCode[] expected = [HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.ServiceUnavailable,
            HttpStatusCode.ServiceUnavailable, HttpStatusCode.ServiceUnavailable, HttpStatusCode.OK, HttpStatusCode.OK];
        Assert.Equal(expected, statuses);
        Assert.Equal(3, _simulator.Stats.HttpErrorsInjected);
    }

    [Fact]
    public async Task Logs_notifications_without_logs_carry_a_null_instead_of_the_lines()
    {
        await using var client = await PubSubTestClient.ConnectAsync(_simulator.WsUri);
        await client.SubscribeLogsAsync(Program);
        _simulator.Faults.LogsNotificationsWithoutLogsRate = 1;

        var transaction = _simulator.ProduceTransactions(1).SelectMany(b => b.Transactions).First();
        var message = await client.ReceiveJsonAsync();

        var value = message.GetProperty("params").GetProperty("result").GetProperty("value");
        Assert.Equal(transaction.Signature, value.GetProperty("signature").GetString());
        Assert.Equal(JsonValueKind.Null, value.GetProperty("logs").ValueKind);
        Assert.True(_simulator.Stats.NotificationsWithoutLogs >= 1);
    }
}
