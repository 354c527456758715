using SpinPet.Core.Candles;
using SpinPet.Core.Events;
using SpinPet.Core.Stream;
using SpinPet.Indexer.Stream;
using SpinPet.Storage;

namespace SpinPet.Indexer.Tests.Stream;

/// <summary>The batch stream contract on the in-process stream: append = apply.</summary>
public sealed class InProcessBatchStreamTests : BatchStreamContract
{
    protected override Task<IStreamUnderTest> OpenAsync(string folder) => Task.FromResult<IStreamUnderTest>(new Node(folder));

    [Fact]
    public async Task An_append_while_another_runs_is_refused()
    {
        using var folder = new SpinPet.TestSupport.TempFolder();
        var blocker = new BlockingListener();
        await using var node = new Node(folder.Path, blocker);
        var first = Trade(1, slot: 10, time: 1_000);
        var second = Trade(2, slot: 11, time: 1_001);

        var appending = Task.Run(() => node.Stream.AppendAsync(StreamBatch.Of([first], null)).AsTask(), TestContext.Current.CancellationToken);
        Assert.True(blocker.Entered.Wait(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken));
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await node.Stream.AppendAsync(StreamBatch.Of([second], null), TestContext.Current.CancellationToken));
        blocker.Release.Set();
        var position = await appending;

        Assert.Equal(position, node.Stream.Position);
        Assert.False(node.Store.Events.ContainsTransaction(second.Signature));
    }

    private sealed class Node : IStreamUnderTest
    {
        public Node(string folder, params IAppliedBatchListener[] listeners)
        {
            Store = SpinPetStore.Open(folder);
            var indexer = new SpinPetIndexer(Store, new SpinPet.Indexer.Candles.CandleSettings(Interval.Required, PriceScale.Default, VolumeUnit.Sol), listeners);
            Stream = new InProcessBatchStream(indexer);
        }

        public IBatchStream Stream { get; }

        public SpinPetStore Store { get; }

        public Task WaitAppliedAsync(StreamPosition position, CancellationToken cancellationToken) => Task.CompletedTask;

        public ValueTask DisposeAsync()
        {
            Store.Dispose();
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>Holds the first announcement until released, so that a second append arrives while the first runs.</summary>
    private sealed class BlockingListener : IAppliedBatchListener
    {
        public ManualResetEventSlim Entered { get; } = new();

        public ManualResetEventSlim Release { get; } = new();

        public void OnApplied(AppliedBatch batch)
        {
            Entered.Set();
            Release.Wait(TimeSpan.FromSeconds(30));
        }
    }
}
