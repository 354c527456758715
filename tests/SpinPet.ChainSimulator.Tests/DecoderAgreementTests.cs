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
            Assert.Empty(transaction.MalformedData);
            Assert.Equal(0, result.TrailingBytes);
            Assert.Equal(transaction.Logs.Contains("Log truncated"), result.Truncated);
            Assert.Equal(transaction.Events.Select(e => e.EventIndex), result.Events.Select(e => (int)e.Index));
            Assert.Equal(transaction.Events.Select(e => e.Event), result.Events.Select(e => e.Event));
            Assert.Equal(transaction.Events.Select(e => e.Payload), result.Events.Select(e => e.Payload.ToArray()));
        }
    }

    [Fact]
    public async Task Malformed_program_data_is_rejected_or_skipped_as_the_ledger_says_and_later_events_keep_their_indexes()
    {
        var options = new SimulatorOptions { Seed = 19, MintCount = 8, MalformedDataRate = 0.05 };
        await using var simulator = new ChainSimulator(options);
        simulator.ProduceTransactions(3000);
        var decoder = new TransactionDecoder(PublicKey.Parse(options.ProgramId));

        var kinds = new HashSet<MalformedDataKind>();
        int trailing = 0;
        foreach (var transaction in simulator.Blocks.SelectMany(block => block.Transactions))
        {
            var result = decoder.Decode(transaction.Logs);

            Assert.Equal(transaction.Events.Select(e => e.EventIndex), result.Events.Select(e => (int)e.Index));
            Assert.Equal(transaction.Events.Select(e => e.Event), result.Events.Select(e => e.Event));
            Assert.Equal(transaction.Events.Select(e => e.Payload), result.Events.Select(e => e.Payload.ToArray()));
            Assert.Equal(transaction.Events.Count(e => e.TrailingBytes > 0), result.TrailingBytes);
            // Rejected and unknown payloads are both kept, each under its own index, and counted apart.
            Assert.Equal(transaction.MalformedData.Select(m => m.EventIndex), result.RejectedPayloads.Select(r => (int)r.Index));
            Assert.Equal(transaction.MalformedData.Select(m => m.Payload), result.RejectedPayloads.Select(r => r.Payload.ToArray()));
            Assert.Equal(transaction.MalformedData.Count(m => m.IsRejected), result.Rejected);
            Assert.Equal(transaction.MalformedData.Count(m => !m.IsRejected), result.UnknownDiscriminators);
            foreach (var (malformed, kept) in transaction.MalformedData.Zip(result.RejectedPayloads))
            {
                Assert.StartsWith(ReasonPrefix(malformed.Kind), kept.Reason, StringComparison.Ordinal);
                kinds.Add(malformed.Kind);
            }
            trailing += result.TrailingBytes;
        }

        Assert.Equal(Enum.GetValues<MalformedDataKind>(), kinds.Order());
        Assert.True(trailing > 0, "some events should carry trailing bytes");
    }

    private static string ReasonPrefix(MalformedDataKind kind) => kind switch
    {
        MalformedDataKind.ShortBody => "too short",
        MalformedDataKind.InvalidBool => "invalid bool",
        MalformedDataKind.InvalidUtf8 => "invalid UTF-8",
        _ => "unknown discriminator",
    };
}
