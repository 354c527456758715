using SpinPet.Core.Chain;
using SpinPet.Solana.Decoding;

namespace SpinPet.ChainSimulator.Tests;

/// <summary>The simulator's ledger and the server's decoder, written independently, must agree event for event.</summary>
public sealed class DecoderAgreementTests
{
    [Fact]
    public async Task The_solana_decoder_reads_exactly_the_expected_events_from_the_simulated_logs()
    {
        var options = new SimulatorOptions { Seed = 17, MintCount = 12 };
        await using var simulator = new ChainSimulator(options);
        simulator.ProduceTransactions(3000);
        var decoder = new TransactionDecoder(PublicKey.Parse(options.ProgramId));

        foreach (var transaction in simulator.Blocks.SelectMany(block => block.Transactions))
        {
            var result = decoder.Decode(transaction.Logs);

            Assert.Empty(result.RejectedPayloads);
            Assert.Equal(transaction.Logs.Contains("Log truncated"), result.Truncated);
            Assert.Equal(transaction.Events.Select(e => e.EventIndex), result.Events.Select(e => (int)e.Index));
            Assert.Equal(transaction.Events.Select(e => e.Event), result.Events.Select(e => e.Event));
            Assert.Equal(transaction.Events.Select(e => e.Payload), result.Events.Select(e => e.Payload.ToArray()));
        }
    }
}
