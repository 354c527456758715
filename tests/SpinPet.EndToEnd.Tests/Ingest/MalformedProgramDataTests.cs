using SpinPet.ChainSimulator;
using SpinPet.EndToEnd.Tests.Harness;
using SpinPet.EndToEnd.Tests.Operations;
using SpinPet.Storage;
using SpinPet.TestSupport;

namespace SpinPet.EndToEnd.Tests.Ingest;

/// <summary>
/// Program data of ours that does not decode, end to end (shared/spec/events.md): the simulator writes malformed
/// lines (short body, bad bool, bad UTF-8, unknown discriminator) and events with trailing bytes, in backfilled
/// history and on the live stream. The server keeps every malformed payload with its signature and position, counts
/// and logs it, skips unknown discriminators as events but counts them apart, stores the trailing-bytes events as
/// events, and everything else still equals the ledger.
/// </summary>
public sealed class MalformedProgramDataTests
{
    private static readonly TimeSpan CatchUp = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Malformed_program_data_is_kept_counted_and_logged_and_everything_else_equals_the_ledger()
    {
        // A day ago with a two-day grace, so that only the chain clock finalizes candles (see IngestExactlyOnceTests).
        var options = new SimulatorOptions
        {
            Seed = 41,
            MintCount = 6,
            MalformedDataRate = 0.03,
            GenesisUnixTime = IngestExactlyOnceTests.ADayAgo,
        };
        await using var simulator = new ChainSimulator.ChainSimulator(options);
        await simulator.StartAsync(TestContext.Current.CancellationToken);
        simulator.ProduceTransactions(800);
        int backfilledMalformed = simulator.ExpectedMalformedData().Count;
        using var database = new TempFolder();
        await using (var server = await IngestExactlyOnceTests.StartServerAsync(simulator, database.Path, IngestExactlyOnceTests.OnlyTheChainClockFinalizes))
        {
            await Eventually.TrueAsync(async () =>
            {
                if (server.HasExited)
                {
                    throw new InvalidOperationException("the server exited:\n" + server.Output);
                }
                var state = await server.GetStatusAsync();
                return state.GetProperty("connection_status").GetString() == "subscribed" && !state.GetProperty("backfill").GetProperty("pending").GetBoolean();
            }, CatchUp, "subscribed and the start-up backfill done");
            // Live: these reach the server as notifications.
            for (int round = 0; round < 6; round++)
            {
                simulator.ProduceTransactions(100);
            }
            await server.WaitForCheckpointAsync(LedgerAssert.NewestSignature(simulator), CatchUp);

            var malformed = simulator.ExpectedMalformedData();
            var events = simulator.ExpectedEvents();
            int trailing = events.Count(e => e.TrailingBytes > 0);
            // The chain must hold every kind, in history and live, or this test proves less than it says.
            Assert.Equal(Enum.GetValues<MalformedDataKind>(), malformed.Select(m => m.Kind).Distinct().Order());
            Assert.True(backfilledMalformed > 0 && malformed.Count > backfilledMalformed, $"malformed data backfilled ({backfilledMalformed}) and live ({malformed.Count - backfilledMalformed})");
            Assert.True(trailing > 0, "events with trailing bytes");

            // Counted: the store's kept payloads (rejected and unknown), the unknown ones apart, the trailing bytes.
            var status = await server.GetStatusAsync();
            var counters = status.GetProperty("counters");
            Assert.Equal((ulong)events.Count, status.GetProperty("total_events_processed").GetUInt64());
            Assert.Equal(malformed.Count, counters.GetProperty("rejected_payloads_stored").GetInt64());
            Assert.Equal(malformed.Count(m => !m.IsRejected), counters.GetProperty("unknown_discriminators").GetInt64());
            Assert.Equal(trailing, counters.GetProperty("trailing_bytes_accepted").GetInt64());
            Assert.Equal<double?>(malformed.Count, MetricsTests.Sample(await MetricsTests.ScrapeAsync(server), "spinpet_ingest_rejected_payloads_total"));

            // Logged: a warning for each kept payload, naming its index and signature.
            var output = server.Output.Split('\n');
            foreach (var item in malformed)
            {
                string expected = $"Rejected event {item.EventIndex} of {item.Signature}: ";
                var line = output.FirstOrDefault(line => line.Contains(expected, StringComparison.Ordinal));
                Assert.True(line is not null, $"no log line with '{expected}' ({item.Kind})");
                Assert.Contains("warn", line, StringComparison.Ordinal);
            }

            await ServedCandles.EqualLedgerAsync(server, simulator);
            await server.StopAsync();
        }

        // Kept for replay: each payload with its signature, position and block time; events (trailing bytes
        // included, whole payload) exactly the ledger's.
        LedgerAssert.StoreEqualsLedger(database.Path, simulator);
        using var store = SpinPetStore.Open(database.Path);
        foreach (var (item, kept) in simulator.ExpectedMalformedData().Zip(store.Events.ReadRejected()))
        {
            Assert.StartsWith(ReasonPrefix(item.Kind), kept.Reason, StringComparison.Ordinal);
        }
    }

    private static string ReasonPrefix(MalformedDataKind kind) => kind switch
    {
        MalformedDataKind.ShortBody => "too short",
        MalformedDataKind.InvalidBool => "invalid bool",
        MalformedDataKind.InvalidUtf8 => "invalid UTF-8",
        _ => "unknown discriminator",
    };
}
