using System.Net;
using System.Text.Json;
using SpinPet.ChainSimulator.Tests.Support;

namespace SpinPet.ChainSimulator.Tests;

public sealed class RpcTests : IAsyncLifetime
{
    private readonly ChainSimulator _simulator = new(new SimulatorOptions { Seed = 21, SkippedSlotRate = 0.2 });
    private RpcTestClient _rpc = null!;

    private string Program => new SimulatorOptions().ProgramId;

    public async ValueTask InitializeAsync()
    {
        await _simulator.StartAsync(TestContext.Current.CancellationToken);
        _rpc = new RpcTestClient(_simulator.RpcUri);
    }

    public async ValueTask DisposeAsync()
    {
        _rpc.Dispose();
        await _simulator.DisposeAsync();
    }

    [Fact]
    public async Task Health_and_slot_answer_like_a_node()
    {
        _simulator.ProduceTransactions(10);

        Assert.Equal("ok", (await _rpc.ResultAsync("getHealth")).GetString());
        Assert.Equal(_simulator.Blocks[^1].Slot, (await _rpc.ResultAsync("getSlot", new { commitment = "confirmed" })).GetUInt64());
        Assert.Equal(IPAddress.Loopback.ToString(), _simulator.RpcUri.Host);
        Assert.NotEqual(_simulator.RpcUri.Port, _simulator.WsUri.Port);
    }

    [Fact]
    public async Task Paging_back_with_before_covers_every_transaction_once_newest_first()
    {
        _simulator.ProduceTransactions(2500);
        var chainOrder = _simulator.Blocks.SelectMany(block => block.Transactions).ToList();

        var seen = new List<string>();
        string? before = null;
        while (true)
        {
            var page = await _rpc.ResultAsync("getSignaturesForAddress", Program, new { limit = 1000, before, commitment = "confirmed" });
            if (page.GetArrayLength() == 0)
            {
                break;
            }
            seen.AddRange(page.EnumerateArray().Select(entry => entry.GetProperty("signature").GetString()!));
            before = seen[^1];
        }

        // Newest first, and within a slot the reverse of block order: the chain order reversed.
        Assert.Equal(chainOrder.Select(tx => tx.Signature).Reverse(), seen);
    }

    [Fact]
    public async Task Until_stops_before_the_checkpoint_and_entries_have_the_node_shape()
    {
        _simulator.ProduceTransactions(300);
        var chainOrder = _simulator.Blocks.SelectMany(block => block.Transactions).ToList();
        var checkpoint = chainOrder[50];

        var page = await _rpc.ResultAsync("getSignaturesForAddress", Program, new { until = checkpoint.Signature });

        Assert.Equal(chainOrder.Skip(51).Select(tx => tx.Signature).Reverse(), page.EnumerateArray().Select(e => e.GetProperty("signature").GetString()));
        var newest = page[0];
        var expected = chainOrder[^1];
        Assert.Equal(expected.Slot, newest.GetProperty("slot").GetUInt64());
        Assert.Equal(_simulator.Blocks[^1].BlockTime, newest.GetProperty("blockTime").GetInt64());
        Assert.Equal(JsonValueKind.Null, newest.GetProperty("memo").ValueKind);
        Assert.Equal("confirmed", newest.GetProperty("confirmationStatus").GetString());
        var failed = page.EnumerateArray().First(e => e.GetProperty("err").ValueKind != JsonValueKind.Null);
        Assert.Equal(JsonValueKind.Number, failed.GetProperty("err").GetProperty("InstructionError")[1].GetProperty("Custom").ValueKind);
    }

    [Fact]
    public async Task Get_transaction_round_trips_slot_block_time_logs_and_error()
    {
        _simulator.ProduceTransactions(300);
        var block = _simulator.Blocks.First(b => b.Transactions.Any(tx => tx.Failed));
        var failed = block.Transactions.First(tx => tx.Failed);
        var succeeded = _simulator.Blocks.SelectMany(b => b.Transactions).First(tx => !tx.Failed && tx.Events.Count > 0);

        var result = await _rpc.ResultAsync("getTransaction", failed.Signature, new { encoding = "json", commitment = "confirmed", maxSupportedTransactionVersion = 0 });

        Assert.Equal(failed.Slot, result.GetProperty("slot").GetUInt64());
        Assert.Equal(block.BlockTime, result.GetProperty("blockTime").GetInt64());
        Assert.Equal(0, result.GetProperty("version").GetInt32());
        var meta = result.GetProperty("meta");
        Assert.Equal(failed.Logs, meta.GetProperty("logMessages").EnumerateArray().Select(line => line.GetString()));
        Assert.True(meta.GetProperty("fee").GetUInt64() >= 5000);
        Assert.Equal(meta.GetProperty("err").GetRawText(), meta.GetProperty("status").GetProperty("Err").GetRawText());
        Assert.Equal(failed.Signature, result.GetProperty("transaction").GetProperty("signatures")[0].GetString());
        Assert.Contains(Program, result.GetProperty("transaction").GetProperty("message").GetProperty("accountKeys").EnumerateArray().Select(k => k.GetString()));

        var ok = await _rpc.ResultAsync("getTransaction", succeeded.Signature, new { encoding = "json", maxSupportedTransactionVersion = 0 });
        Assert.Equal(JsonValueKind.Null, ok.GetProperty("meta").GetProperty("err").ValueKind);
        Assert.Equal(succeeded.Logs, ok.GetProperty("meta").GetProperty("logMessages").EnumerateArray().Select(line => line.GetString()));
    }

    [Fact]
    public async Task Unknown_signature_is_null_and_a_client_without_v0_support_is_refused()
    {
        _simulator.ProduceTransactions(5);
        string unknown = new string('1', 64);
        var known = _simulator.Blocks.SelectMany(b => b.Transactions).First().Signature;

        Assert.Equal(JsonValueKind.Null, (await _rpc.ResultAsync("getTransaction", unknown, new { maxSupportedTransactionVersion = 0 })).ValueKind);
        Assert.Equal(-32015, (await _rpc.ErrorAsync("getTransaction", known, new { encoding = "json" })).Code);
    }

    [Fact]
    public async Task Block_time_errors_distinguish_skipped_future_and_pruned_slots()
    {
        _simulator.ProduceTransactions(100);
        var blocks = _simulator.Blocks;
        ulong skipped = Enumerable.Range(1, blocks.Count - 1).Select(i => blocks[i - 1].Slot + 1).First(slot => blocks.All(b => b.Slot != slot));
        ulong future = blocks[^1].Slot + 1;

        Assert.Equal(blocks[3].BlockTime, (await _rpc.ResultAsync("getBlockTime", blocks[3].Slot)).GetInt64());
        Assert.Equal((-32007, $"Slot {skipped} was skipped, or missing due to ledger jump to recent snapshot"), await _rpc.ErrorAsync("getBlockTime", skipped));
        Assert.Equal((-32004, $"Block not available for slot {future}"), await _rpc.ErrorAsync("getBlockTime", future));
        Assert.Equal(-32001, (await _rpc.ErrorAsync("getBlockTime", 5)).Code);
    }

    [Fact]
    public async Task Protocol_errors_use_json_rpc_codes()
    {
        Assert.Equal((-32601, "Method not found"), await _rpc.ErrorAsync("getFooBar"));
        Assert.Equal((-32602, "Invalid limit; max 1000"), await _rpc.ErrorAsync("getSignaturesForAddress", Program, new { limit = 1001 }));
        Assert.Equal(-32602, (await _rpc.ErrorAsync("getSignaturesForAddress", "not-an-address")).Code);
        Assert.Equal(-32602, (await _rpc.ErrorAsync("getTransaction", "x", new { maxSupportedTransactionVersion = 0 })).Code);

        using var malformed = await _rpc.PostAsync("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":");
        Assert.Equal(HttpStatusCode.OK, malformed.StatusCode);
        using var error = JsonDocument.Parse(await malformed.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal(-32700, error.RootElement.GetProperty("error").GetProperty("code").GetInt32());
        Assert.Equal(JsonValueKind.Null, error.RootElement.GetProperty("id").ValueKind);
    }

    [Fact]
    public async Task A_batch_gets_one_answer_per_call_and_stats_count_methods()
    {
        _simulator.ProduceTransactions(3);
        using var response = await _rpc.PostAsync($"[{_rpc.Request("getSlot")},{_rpc.Request("getHealth")},{_rpc.Request("nope")}]");
        using var batch = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));

        Assert.Equal(3, batch.RootElement.GetArrayLength());
        Assert.Equal("ok", batch.RootElement[1].GetProperty("result").GetString());
        Assert.Equal(-32601, batch.RootElement[2].GetProperty("error").GetProperty("code").GetInt32());
        Assert.Equal(1, _simulator.Stats.HttpRequestsFor("getSlot"));
        Assert.Equal(1, _simulator.Stats.HttpRequestsFor("(unknown)"));
    }
}
