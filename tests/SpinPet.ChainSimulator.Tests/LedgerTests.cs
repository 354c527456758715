using System.Globalization;
using SpinPet.ChainSimulator.Generation;
using SpinPet.ChainSimulator.Tests.Support;
using SpinPet.Core.Events;

namespace SpinPet.ChainSimulator.Tests;

public sealed class LedgerTests
{
    private static readonly SimulatorOptions Defaults = new();

    [Fact]
    public void A_fresh_curve_quotes_the_programs_documented_initial_price() =>
        Assert.Equal(UInt128.Parse("279589934762348555452", CultureInfo.InvariantCulture), new BondingCurve(28).Price);

    [Fact]
    public async Task Same_seed_gives_the_same_ledger_and_another_seed_does_not()
    {
        await using var first = new ChainSimulator(new SimulatorOptions { Seed = 42 });
        await using var second = new ChainSimulator(new SimulatorOptions { Seed = 42 });
        await using var other = new ChainSimulator(new SimulatorOptions { Seed = 43 });
        first.ProduceTransactions(600);
        second.ProduceTransactions(600);
        other.ProduceTransactions(600);

        Assert.Equal(Fingerprint(first), Fingerprint(second));
        Assert.NotEqual(Fingerprint(first), Fingerprint(other));
    }

    [Fact]
    public async Task Expected_events_are_exactly_what_the_log_rules_extract_from_successful_transactions()
    {
        await using var simulator = new ChainSimulator(new SimulatorOptions { Seed = 7 });
        simulator.ProduceTransactions(3000);

        var fromLogs = new List<byte[]>();
        foreach (var transaction in simulator.Blocks.SelectMany(block => block.Transactions))
        {
            var payloads = LogWalker.OwnPayloads(transaction.Logs, Defaults.ProgramId);
            Assert.Equal(payloads, transaction.Events.Select(e => e.Payload));
            Assert.Equal(Enumerable.Range(0, payloads.Count), transaction.Events.Select(e => e.EventIndex));
            if (!transaction.Failed)
            {
                fromLogs.AddRange(payloads);
            }
        }
        Assert.Equal(fromLogs, simulator.ExpectedEvents().Select(e => e.Payload));
    }

    [Fact]
    public async Task Activity_covers_every_event_kind_and_every_kind_of_log_noise()
    {
        await using var simulator = new ChainSimulator(new SimulatorOptions { Seed = 3, MintCount = 12 });
        simulator.ProduceTransactions(4000);
        var transactions = simulator.Blocks.SelectMany(block => block.Transactions).ToList();
        string program = Defaults.ProgramId;

        Assert.Equal(Enum.GetValues<EventKind>().Order(), simulator.ExpectedEvents().Select(e => e.Event.Kind).Distinct().Order());
        Assert.Contains(transactions, tx => tx.Failed && tx.Events.Count > 0);
        Assert.Contains(transactions, tx => tx.Failed && tx.Events.Count == 0);
        Assert.Contains(transactions, tx => !tx.Failed && tx.Events.Count == 0);
        Assert.Contains(transactions, tx => !tx.Failed && tx.Events.Count >= 2);
        Assert.Contains(transactions, tx => tx.Logs.Contains("Log truncated"));
        Assert.Contains(transactions, tx => LogWalker.DepthOf(tx.Logs, program) == 2 && tx.Events.Count > 0);
        Assert.Contains(transactions, tx => LogWalker.ForeignDataLines(tx.Logs, program) > 0);
        Assert.Contains(transactions, tx => tx.Logs.Any(line => line.StartsWith("Program log: ", StringComparison.Ordinal) && line.EndsWith(" success", StringComparison.Ordinal)));
        Assert.Contains(transactions, tx => tx.Logs.Count(line => line == $"Program {program} invoke [1]") == 2);
    }

    [Fact]
    public async Task Every_mint_is_created_before_its_first_trade_and_prices_stay_positive()
    {
        await using var simulator = new ChainSimulator(new SimulatorOptions { Seed = 11, MintCount = 8 });
        simulator.ProduceTransactions(5000);

        var created = new HashSet<string>();
        foreach (var ledgerEvent in simulator.ExpectedEvents())
        {
            string mint = ledgerEvent.Event.MintAccount.ToString();
            if (ledgerEvent.Event is TokenCreatedEvent)
            {
                Assert.True(created.Add(mint), "a mint is created once");
                continue;
            }
            Assert.Contains(mint, created);
            if (ledgerEvent.Event.LatestPrice is { } price)
            {
                Assert.True(price > UInt128.Zero, $"price of {ledgerEvent.Signature} is zero");
            }
        }
        Assert.Equal(8, created.Count);
    }

    [Fact]
    public async Task Virtual_block_time_follows_the_slot_and_event_positions_follow_chain_order()
    {
        var options = new SimulatorOptions { Seed = 5 };
        await using var simulator = new ChainSimulator(options);
        simulator.ProduceTransactions(500);

        ulong previousSlot = 0;
        foreach (var block in simulator.Blocks)
        {
            Assert.True(block.Slot > previousSlot);
            previousSlot = block.Slot;
            Assert.Equal(options.GenesisUnixTime + (long)(block.Slot - options.GenesisSlot) * options.SlotMilliseconds / 1000, block.BlockTime);
            Assert.Equal(block.Transactions.Select(tx => tx.IndexInBlock).Order(), block.Transactions.Select(tx => tx.IndexInBlock));
            for (int i = 0; i < block.Transactions.Count; i++)
            {
                Assert.All(block.Transactions[i].Events, e =>
                {
                    Assert.Equal(block.Slot, e.Slot);
                    Assert.Equal(i, e.TxIndexInSlot);
                    Assert.Equal(block.BlockTime, e.BlockTime);
                });
            }
        }
    }

    private static string Fingerprint(ChainSimulator simulator) =>
        string.Join('\n', simulator.Blocks.SelectMany(block => block.Transactions)
            .Select(tx => $"{tx.Slot}/{tx.IndexInBlock}/{tx.Signature}/{tx.Failed}/{string.Join('|', tx.Logs)}"));
}
